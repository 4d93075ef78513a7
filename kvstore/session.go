package kvstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
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

// Format implements fmt.Formatter so that every verb (%v, %s, %d, %x,
// %q, %#v, widths and flags included) prints the redacted form: without
// it, %d and %x would print the 32 bytes of the ID, which open the
// session. %q quotes the redacted form.
func (id SessionID) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(id.String()))
		return
	}
	io.WriteString(f, id.String())
}

// LogValue implements slog.LogValuer: log/slog's handlers, JSON and text
// alike, log the redacted form.
func (id SessionID) LogValue() slog.Value { return slog.StringValue(id.String()) }

// MarshalText implements encoding.TextMarshaler with the redacted form,
// so encoders that use it (encoding/json map keys, encoding/xml, slog's
// JSON handler) never write the ID. There is deliberately no
// UnmarshalText: the ID's text form is Encode's, for the cookie only.
func (id SessionID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// MarshalJSON implements json.Marshaler with the redacted form, as a
// JSON string.
func (id SessionID) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(id.String())), nil }

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
//
// A deleted session stays deleted: Delete leaves a tombstone under a key
// of its own (for RevokedTTL) before it removes the record, and neither
// Save nor Refresh ever writes a record back that Delete removed. A
// request that loaded the session before a concurrent logout therefore
// cannot undo the logout by saving; its Save or Refresh fails with an
// error wrapping ErrNotFound instead. See docs/kvstore.md, "Ordering
// and concurrent writers", for the exact guarantees per store.
type Sessions struct {
	// Store holds the data.
	Store Store
	// Prefix is prepended to every store key (default "crumb:s:").
	Prefix string
	// RevokedTTL is how long a deleted session's tombstone is kept
	// (DefaultRevokedTTL when zero). It must outlast the longest request
	// that may have loaded the session before it was deleted: a save
	// from a request older than that can recreate the record on a store
	// without conditional writes, or when the record had also expired.
	RevokedTTL time.Duration
}

// DefaultRevokedTTL is Sessions.RevokedTTL's default: AWS Lambda's
// longest invocation, and longer than any sane HTTP request.
const DefaultRevokedTTL = 15 * time.Minute

// NewSessions returns Sessions over store with the default prefix.
func NewSessions(store Store) *Sessions { return &Sessions{Store: store, Prefix: "crumb:s:"} }

func (s *Sessions) key(id SessionID) string { return s.Prefix + id.StoreKey() }

// revokedKey is where Delete leaves the tombstone. "r:" cannot start a
// record key, whose hash part is lowercase hex.
func (s *Sessions) revokedKey(id SessionID) string { return s.Prefix + "r:" + id.StoreKey() }

func (s *Sessions) revokedTTL() time.Duration {
	if s.RevokedTTL > 0 {
		return s.RevokedTTL
	}
	return DefaultRevokedTTL
}

// revoked is the error of a Save or Refresh that found the session gone
// and did not write it back.
func revoked(op string) error {
	return newErr("session", op, ErrNotFound, 0, "session record gone (deleted, expired or evicted); not written back")
}

// Load parses the ID from the cookie and returns the session's data. A
// malformed ID fails with ErrBadKey before any store call; a missing or
// expired session with ErrNotFound. Either way the caller starts a fresh
// session. (A store can also answer ErrBadKey, for a prefix that makes
// keys too long: that is a configuration error, not a missing session.)
func (s *Sessions) Load(ctx context.Context, rawID string) (SessionID, []byte, error) {
	id, err := ParseSessionID(rawID)
	if err != nil {
		return SessionID{}, nil, err
	}
	data, err := s.get(ctx, id)
	if err != nil {
		return SessionID{}, nil, err
	}
	return id, data, nil
}

func (s *Sessions) get(ctx context.Context, id SessionID) ([]byte, error) {
	return s.Store.Get(ctx, s.key(id))
}

// Save writes the session's data for ttl, its remaining lifetime. It
// creates the record of a new ID and overwrites that of a live one, but
// never writes back a record that Delete removed: then it fails with an
// error wrapping ErrNotFound.
//
// On a store with conditional writes (ConditionalSetter: Memory,
// Webdis, Upstash) it first overwrites only if the record exists (one
// round trip for a live session). When the record is missing it checks
// the tombstone, creates only if the key is still absent, and checks
// the tombstone again: four round trips for a new session (Backend
// spares them when cookiestore marks the record New). A store
// without conditional writes (Cloudflare KV) gets the tombstone check
// and a plain write, which leaves a window between the two (see
// docs/kvstore.md).
func (s *Sessions) Save(ctx context.Context, id SessionID, data []byte, ttl time.Duration) error {
	if id.IsZero() {
		return newErr("session", "set", ErrBadKey, 0, "zero session ID")
	}
	key := s.key(id)
	if c, ok := s.Store.(ConditionalSetter); ok {
		stored, err := c.SetIfExists(ctx, key, data, ttl)
		switch {
		case err == nil && stored:
			return nil
		case err == nil:
			// Missing: a new session, or one deleted since this request
			// loaded it. The tombstone tells them apart, and Delete
			// writes it before removing the record, so a record found
			// missing because of a Delete has its tombstone by now.
			if err := s.checkRevoked(ctx, id, "set"); err != nil {
				return err
			}
			created, err := c.SetIfAbsent(ctx, key, data, ttl)
			if err != nil {
				return err
			}
			if created {
				// A record that had expired or been evicted, and was
				// deleted (tombstone written) between the check above
				// and this create, has just been written back: look
				// again, and undo the create if so. A new ID cannot
				// have a tombstone.
				if err := s.checkRevoked(ctx, id, "set"); err != nil {
					if delErr := s.Store.Delete(ctx, key); delErr != nil {
						return delErr
					}
					return err
				}
				return nil
			}
			// Created meanwhile by another request of this session
			// (one that found it expired, like this one): last write
			// wins, but only over a record that still exists.
			stored, err = c.SetIfExists(ctx, key, data, ttl)
			if err == nil && !stored {
				return revoked("set")
			}
			return err
		case !errors.Is(err, errors.ErrUnsupported):
			return err
		}
	}
	if err := s.checkRevoked(ctx, id, "set"); err != nil {
		return err
	}
	return s.Store.Set(ctx, key, data, ttl)
}

// checkRevoked fails with ErrNotFound when id has a tombstone.
func (s *Sessions) checkRevoked(ctx context.Context, id SessionID, op string) error {
	_, err := s.Store.Get(ctx, s.revokedKey(id))
	switch {
	case err == nil:
		return revoked(op)
	case errors.Is(err, ErrNotFound):
		return nil
	default:
		return err
	}
}

// Refresh extends the session's lifetime to ttl without changing its
// data: EXPIRE where the store has it, a re-put of data otherwise. It
// never recreates a missing record: when EXPIRE finds nothing, or the
// session has a tombstone, it fails with an error wrapping ErrNotFound
// (the session was deleted, expired or evicted, and stays so).
func (s *Sessions) Refresh(ctx context.Context, id SessionID, data []byte, ttl time.Duration) error {
	if id.IsZero() {
		return newErr("session", "touch", ErrBadKey, 0, "zero session ID")
	}
	key := s.key(id)
	if t, ok := s.Store.(Toucher); ok {
		err := t.Touch(ctx, key, ttl)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrNotFound):
			return revoked("touch")
		case !errors.Is(err, errors.ErrUnsupported):
			return err
		}
	}
	// No TTL-only update (Cloudflare KV): the refresh is a re-put. A
	// conditional one where the store has it, else tombstone-checked.
	if c, ok := s.Store.(ConditionalSetter); ok {
		stored, err := c.SetIfExists(ctx, key, data, ttl)
		switch {
		case err == nil && stored:
			return nil
		case err == nil:
			return revoked("touch")
		case !errors.Is(err, errors.ErrUnsupported):
			return err
		}
	}
	if err := s.checkRevoked(ctx, id, "touch"); err != nil {
		return err
	}
	return s.Store.Set(ctx, key, data, ttl)
}

// Delete removes the session's data: the logout that really revokes. It
// first writes the tombstone that keeps a concurrent request from
// writing the record back, then deletes the record. The record is
// deleted even when the tombstone cannot be written; the error is
// returned all the same, because the revocation is then not safe
// against a request still running.
func (s *Sessions) Delete(ctx context.Context, id SessionID) error {
	if id.IsZero() {
		return nil
	}
	tombErr := s.Store.Set(ctx, s.revokedKey(id), []byte("revoked"), s.revokedTTL())
	if err := s.Store.Delete(ctx, s.key(id)); err != nil {
		return err
	}
	return tombErr
}

// Regenerate moves the session to a fresh ID (after login, to defeat
// fixation): it writes data under the new ID first (create-only where
// the store has conditional writes), then deletes the old one. If the
// write fails, nothing changed and the old ID is still valid. If only
// the delete fails, the new ID is returned with an error that wraps
// both ErrStaleSession and the store's error: the old entry lives until
// its TTL runs out.
//
// A deleted session stays deleted: when old was deleted (a logout in a
// concurrent request, seen by its tombstone) before or while the new
// record is written, Regenerate fails with an error wrapping
// ErrNotFound and leaves no record under the new ID.
func (s *Sessions) Regenerate(ctx context.Context, old SessionID, data []byte, ttl time.Duration) (SessionID, error) {
	id := NewSessionID()
	if err := s.replace(ctx, old, func() error { return s.create(ctx, id, data, ttl) }, id); err != nil {
		return SessionID{}, err
	}
	if err := s.Delete(ctx, old); err != nil {
		return id, errors.Join(ErrStaleSession, err)
	}
	return id, nil
}

// replace runs write, which creates the record of id, the identity
// that replaces old, then checks old's tombstone: when old was deleted
// (before or during the write) it deletes the new record and fails
// with ErrNotFound. One read after the write is enough: a tombstone
// written later belongs to a logout that came after this request's
// Regenerate, which the new ID rightly survives (that logout ended the
// old ID only).
func (s *Sessions) replace(ctx context.Context, old SessionID, write func() error, id SessionID) error {
	if err := write(); err != nil {
		return err
	}
	if old.IsZero() {
		return nil
	}
	if err := s.checkRevoked(ctx, old, "regenerate"); err != nil {
		if delErr := s.Store.Delete(ctx, s.key(id)); delErr != nil {
			return errors.Join(err, delErr)
		}
		return err
	}
	return nil
}

// saveNew writes the record of an ID that has never been saved
// (cookiestore.Record.New): drawn from crypto/rand by the request now
// saving it and never yet in a cookie, so no one can have deleted it
// and it has no tombstone to check. One create-only write where the
// store has conditional writes, a plain write otherwise (Cloudflare).
//
// A record already under the ID is this session's own earlier write
// whose answer was lost (a timeout, then a retried Commit): it is
// overwritten through Save, with every check, not reported as an
// error.
func (s *Sessions) saveNew(ctx context.Context, id SessionID, data []byte, ttl time.Duration) error {
	if id.IsZero() {
		return newErr("session", "set", ErrBadKey, 0, "zero session ID")
	}
	key := s.key(id)
	if c, ok := s.Store.(ConditionalSetter); ok {
		created, err := c.SetIfAbsent(ctx, key, data, ttl)
		switch {
		case err == nil && created:
			return nil
		case err == nil:
			return s.Save(ctx, id, data, ttl)
		case !errors.Is(err, errors.ErrUnsupported):
			return err
		}
	}
	return s.Store.Set(ctx, key, data, ttl)
}

// create writes the record of an ID just drawn from crypto/rand, which
// no one else can hold: no tombstone can exist for it.
func (s *Sessions) create(ctx context.Context, id SessionID, data []byte, ttl time.Duration) error {
	key := s.key(id)
	if c, ok := s.Store.(ConditionalSetter); ok {
		created, err := c.SetIfAbsent(ctx, key, data, ttl)
		switch {
		case err == nil && created:
			return nil
		case err == nil:
			return newErr("session", "set", ErrProtocol, 0, "a fresh session ID already has a record")
		case !errors.Is(err, errors.ErrUnsupported):
			return err
		}
	}
	return s.Store.Set(ctx, key, data, ttl)
}

// ErrStaleSession accompanies a Regenerate whose new session was saved
// but whose old entry could not be deleted.
var ErrStaleSession = errors.New("kvstore: old session entry not deleted")
