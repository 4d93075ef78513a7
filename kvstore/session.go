package kvstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// SessionIDLen is the size of a session ID in bytes: 256 bits.
const SessionIDLen = 32

// sessionIDText is the length of a session ID's text form: unpadded
// base64url of 32 bytes.
const sessionIDText = 43

// SessionID is a server-side session's identifier: 256 random bits. It
// is a bearer credential: whoever holds it holds the session. Its text
// form (Encode) goes only into the signed session cookie; String and
// fmt's verbs print a redacted form so a log line never carries it.
type SessionID [SessionIDLen]byte

// NewSessionID returns a fresh ID from crypto/rand.
func NewSessionID() SessionID {
	var id SessionID
	rand.Read(id[:]) // never fails; crashes the program if the OS cannot supply randomness
	return id
}

// ParseSessionID parses the text form Encode produced. Anything else,
// including non-canonical base64, fails with ErrBadKey without looking
// further, so a forged or garbled ID never reaches a store.
func ParseSessionID(s string) (SessionID, error) {
	var id SessionID
	if len(s) != sessionIDText {
		return id, newErr("session", "parse", ErrBadKey, 0, "session ID has the wrong length")
	}
	n, err := base64.RawURLEncoding.Strict().Decode(id[:], []byte(s))
	if err != nil || n != SessionIDLen {
		return SessionID{}, newErr("session", "parse", ErrBadKey, 0, "session ID is not canonical base64url")
	}
	return id, nil
}

// Encode returns the ID's text form, for the session cookie only.
func (id SessionID) Encode() string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// IsZero reports whether id is the zero value (no session).
func (id SessionID) IsZero() bool { return id == SessionID{} }

// Equal compares in constant time.
func (id SessionID) Equal(o SessionID) bool { return subtle.ConstantTimeCompare(id[:], o[:]) == 1 }

// String is redacted: it shows the first bytes of the store key, enough
// to correlate log lines with store entries, and nothing that opens the
// session.
func (id SessionID) String() string { return "SessionID(" + id.StoreKey()[:8] + "…)" }

// GoString is redacted like String.
func (id SessionID) GoString() string { return id.String() }

// sessionKeyDomain separates session-key hashing from any other use of
// SHA-256 over the same bytes.
const sessionKeyDomain = "crumb/kvstore session key v1\x00"

// StoreKey is the key the session's data is stored under: hex of
// SHA-256 over a domain label and the ID. A dump of the store yields
// only hashes, and recovering an ID from its hash means inverting
// SHA-256 over 256 random bits; no secret key is needed for that, so
// none has to be managed or rotated.
func (id SessionID) StoreKey() string {
	h := sha256.New()
	h.Write([]byte(sessionKeyDomain))
	h.Write(id[:])
	return hex.EncodeToString(h.Sum(nil))
}

// Sessions keeps session data in a Store under hashed session IDs. It is
// the server-side half of a session: the cookie carries the ID, sealed
// by crumb's signed sealer; the data lives here.
type Sessions struct {
	// Store holds the data.
	Store Store
	// Prefix is prepended to every store key (default "crumb:s:").
	Prefix string
}

// NewSessions returns Sessions over store with the default prefix.
func NewSessions(store Store) *Sessions { return &Sessions{Store: store, Prefix: "crumb:s:"} }

func (s *Sessions) key(id SessionID) string { return s.Prefix + id.StoreKey() }

// Load parses the ID from the cookie and returns the session's data. A
// malformed ID fails with ErrBadKey before any store call; a missing or
// expired session with ErrNotFound. Either way the caller starts a fresh
// session.
func (s *Sessions) Load(ctx context.Context, rawID string) (SessionID, []byte, error) {
	id, err := ParseSessionID(rawID)
	if err != nil {
		return SessionID{}, nil, err
	}
	data, err := s.Store.Get(ctx, s.key(id))
	if err != nil {
		return SessionID{}, nil, err
	}
	return id, data, nil
}

// Save writes the session's data for ttl, its remaining lifetime.
func (s *Sessions) Save(ctx context.Context, id SessionID, data []byte, ttl time.Duration) error {
	if id.IsZero() {
		return newErr("session", "set", ErrBadKey, 0, "zero session ID")
	}
	return s.Store.Set(ctx, s.key(id), data, ttl)
}

// Refresh extends the session's lifetime to ttl without changing its
// data: EXPIRE where the store has it, a re-put of data otherwise.
func (s *Sessions) Refresh(ctx context.Context, id SessionID, data []byte, ttl time.Duration) error {
	if id.IsZero() {
		return newErr("session", "touch", ErrBadKey, 0, "zero session ID")
	}
	return Refresh(ctx, s.Store, s.key(id), data, ttl)
}

// Delete removes the session's data: the logout that really revokes.
func (s *Sessions) Delete(ctx context.Context, id SessionID) error {
	if id.IsZero() {
		return nil
	}
	return s.Store.Delete(ctx, s.key(id))
}

// Regenerate moves the session to a fresh ID (after login, to defeat
// fixation): it writes data under the new ID first, then deletes the
// old one. If the write fails, nothing changed and the old ID is still
// valid. If only the delete fails, the new ID is returned together with
// the error: the old entry lives until its TTL runs out.
func (s *Sessions) Regenerate(ctx context.Context, old SessionID, data []byte, ttl time.Duration) (SessionID, error) {
	id := NewSessionID()
	if err := s.Save(ctx, id, data, ttl); err != nil {
		return SessionID{}, err
	}
	if err := s.Delete(ctx, old); err != nil {
		return id, errors.Join(ErrStaleSession, err)
	}
	return id, nil
}

// ErrStaleSession accompanies a Regenerate whose new session was saved
// but whose old entry could not be deleted.
var ErrStaleSession = errors.New("kvstore: old session entry not deleted")
