package kvstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
)

// MultiGetter is implemented by stores that read several keys in one
// round trip (Redis MGET: Webdis, Upstash; Memory). Revocations uses it
// so that checking a session (its own marker and its user's) costs one
// round trip; over any other store it makes one Get per key. A store
// that lacks it for some configuration (HTTPKV on Cloudflare) returns
// an error wrapping errors.ErrUnsupported.
type MultiGetter interface {
	// GetMulti returns the values of keys, in order, with nil for a
	// key that does not exist (or expired).
	GetMulti(ctx context.Context, keys ...string) ([][]byte, error)
}

// Revocations is a list of revoked sessions in a Store, for
// cookiestore.Options.Revocation: it makes cookie sessions revocable,
// and works for server-side sessions too. It keeps two kinds of
// marker, each under a hashed key with a TTL:
//
//   - a revoked session ID (Revoke, called by cookiestore on Commit
//     after Destroy: "log out this session"), kept until the session's
//     absolute end;
//   - a per-user time (RevokeUser: "log out everywhere", from any
//     server, after a password change say): every session of that user
//     created up to it is revoked. It is kept for UserTTL.
//
// Check reads both, in one round trip where the store has GetMulti, and
// keeps the answers in a bounded local cache: a session checked less
// than MaxStale ago is not checked again, so the hot path costs no round
// trip. The price is the staleness bound: a revocation made on another
// server (or another Lambda instance, or edge isolate) takes effect here
// within MaxStale. One made through this Revocations takes effect at
// once, as does any revocation this process has already seen (a
// revoked ID stays revoked in the cache).
//
// A store that cannot be read is an error, never a "not revoked":
// cookiestore then answers 503 unless the application opted into
// Options.RevocationFailOpen. Keys hold only SHA-256 hashes of session
// IDs and user names, and no error carries either.
//
// The user marker is compared with the session's creation time at the
// one-second precision cookiestore keeps, erring on the side of the
// revocation: a session created in the same second as the marker is
// revoked too, so a login has to come at least a second after "log out
// everywhere" to survive it. Servers' clocks must agree: a server whose
// clock is behind writes an earlier time.
type Revocations struct {
	store  Store
	prefix string
	ttl    time.Duration
	now    func() time.Time
	cache  *revCache
}

var _ cookiestore.Revoker = (*Revocations)(nil)

// RevocationOptions configures Revocations. Zero fields take the
// defaults.
type RevocationOptions struct {
	// Prefix is prepended to every key; "crumb:r:" when empty.
	Prefix string
	// MaxStale is the staleness bound: how long an answer read from
	// the store is reused before the store is asked again (default
	// DefaultMaxStale). A revocation made elsewhere takes effect here
	// within MaxStale. Negative disables the cache: every Check reads
	// the store.
	MaxStale time.Duration
	// CacheEntries bounds the cache (default 10,000 entries: one per
	// session ID and one per user seen within MaxStale); beyond it the
	// least recently used entry is dropped, which only costs a round
	// trip later.
	CacheEntries int
	// UserTTL is how long a RevokeUser marker is kept (default
	// cookiestore.MaxTimeout, 400 days). It must outlast the longest
	// session lifetime (cookiestore.Options.AbsoluteTimeout, or
	// Options.Remember's when longer): a session
	// created before the marker and still alive after it expired would
	// open again.
	UserTTL time.Duration
	// Now is the clock (time.Now when nil), for the cache's ages, the
	// markers' TTLs and RevokeUser's default time. Give it the same
	// clock as cookiestore.Options.Now.
	Now func() time.Time
}

// DefaultMaxStale is RevocationOptions.MaxStale's default.
const DefaultMaxStale = 5 * time.Second

// NewRevocations returns a revocation list over store.
func NewRevocations(store Store, opts RevocationOptions) *Revocations {
	r := &Revocations{store: store, prefix: opts.Prefix, ttl: opts.UserTTL, now: opts.Now}
	if r.prefix == "" {
		r.prefix = "crumb:r:"
	}
	if r.ttl <= 0 {
		r.ttl = cookiestore.MaxTimeout
	}
	if r.now == nil {
		r.now = time.Now
	}
	maxStale := opts.MaxStale
	if maxStale == 0 {
		maxStale = DefaultMaxStale
	}
	if maxStale > 0 {
		n := opts.CacheEntries
		if n <= 0 {
			n = 10_000
		}
		r.cache = newRevCache(n, maxStale)
	}
	return r
}

// userKeyDomain separates user-key hashing from other SHA-256 uses.
const userKeyDomain = "crumb/kvstore user key v1\x00"

// UserKey is the hash a user name is stored under (hex of SHA-256 over
// a domain label and the name), so a dump of the store shows no user
// names or e-mail addresses.
func UserKey(user string) string {
	sum := userSum(user)
	return hex.EncodeToString(sum[:])
}

// userSum is the SHA-256 behind UserKey; it allocates nothing for the
// usual user name (up to 200 bytes).
func userSum(user string) [sha256.Size]byte {
	var buf [len(userKeyDomain) + 200]byte
	b := append(buf[:0], userKeyDomain...)
	return sha256.Sum256(append(b, user...))
}

func (r *Revocations) idKey(hash string) string   { return r.prefix + "s:" + hash }
func (r *Revocations) userKey(hash string) string { return r.prefix + "u:" + hash }

// revokedError is Check's answer for a revoked session: it wraps
// cookiestore.ErrRevoked, and names neither the session nor the user.
type revokedError string

func (e revokedError) Error() string { return "kvstore: revocations: " + string(e) }
func (e revokedError) Unwrap() error { return cookiestore.ErrRevoked }

func errRevoked(detail string) error { return revokedError(detail) }

// Check implements cookiestore.Revoker: nil when the session may be
// used, an error wrapping cookiestore.ErrRevoked when its ID or its
// user's sessions were revoked, any other error (ErrUnavailable,
// ErrTimeout, ...) when the store could not say.
func (r *Revocations) Check(ctx context.Context, s cookiestore.SessionInfo) error {
	id, err := ParseSessionID(s.ID)
	if err != nil {
		// cookiestore draws every ID; a malformed one is not a session.
		return errRevoked("malformed session ID")
	}
	idSum := id.storeSum()
	var userHash [sha256.Size]byte
	hasUser := s.User != ""
	if hasUser {
		userHash = userSum(s.User)
	}
	now := r.now()
	var (
		revoked, idFresh = false, false
		before           time.Time
		userFresh        = !hasUser
	)
	if r.cache != nil {
		revoked, idFresh = r.cache.id(idSum, now)
		if revoked {
			// Known revoked: nothing the store says can undo that.
			return errRevoked("session logged out")
		}
		if hasUser {
			before, userFresh = r.cache.user(userHash, now)
		}
	}
	if !idFresh || !userFresh {
		keys := make([]string, 0, 2)
		keys = append(keys, r.idKey(hex.EncodeToString(idSum[:])))
		if hasUser {
			keys = append(keys, r.userKey(hex.EncodeToString(userHash[:])))
		}
		vals, err := r.getMulti(ctx, keys)
		if err != nil {
			return err
		}
		revoked = vals[0] != nil
		before = time.Time{}
		if hasUser && vals[1] != nil {
			if before, err = parseUnix(vals[1]); err != nil {
				return err
			}
		}
		if r.cache != nil {
			r.cache.putID(idSum, revoked, now)
			if hasUser {
				r.cache.putUser(userHash, before, now)
			}
		}
	}
	switch {
	case revoked:
		return errRevoked("session logged out")
	case !before.IsZero() && !s.Created.After(before):
		return errRevoked("all sessions of the user created up to a time were logged out")
	}
	return nil
}

// Revoke implements cookiestore.Revoker: it marks s.ID revoked until
// s.End (at least a second from now). It takes effect in this process
// at once, and elsewhere within MaxStale.
func (r *Revocations) Revoke(ctx context.Context, s cookiestore.SessionInfo) error {
	id, err := ParseSessionID(s.ID)
	if err != nil {
		return err
	}
	return r.RevokeID(ctx, id, s.End)
}

// RevokeID marks a session ID revoked until end, the session's absolute
// end.
func (r *Revocations) RevokeID(ctx context.Context, id SessionID, end time.Time) error {
	now := r.now()
	ttl := end.Sub(now)
	if ttl < time.Second {
		ttl = time.Second
	}
	sum := id.storeSum()
	if err := r.store.Set(ctx, r.idKey(hex.EncodeToString(sum[:])), []byte("1"), ttl); err != nil {
		return err
	}
	if r.cache != nil {
		r.cache.putID(sum, true, now)
	}
	return nil
}

// RevokeUser revokes every session of user created at or before the
// time before, in whole seconds ("log out everywhere"); a zero before
// means now. Sessions created in a later second, such as the user's
// next login, are not affected. The marker is kept for UserTTL.
//
// An earlier marker is replaced, a later one kept: RevokeUser reads the
// marker first and writes only a later time, then reads it back and
// writes again if a concurrent call with an earlier time overwrote it.
// The stores have no atomic "keep the maximum", so two calls racing
// within one round trip can still leave the earlier of their two times
// (the later call has then returned); the sessions it misses are those
// created between the two calls, a few seconds at most. It takes effect
// in this process at once, and elsewhere within MaxStale.
func (r *Revocations) RevokeUser(ctx context.Context, user string, before time.Time) error {
	if user == "" {
		return newErr("revocations", "revoke", ErrBadKey, 0, "empty user")
	}
	if before.IsZero() {
		before = r.now()
	}
	before = before.Truncate(time.Second)
	sum := userSum(user)
	key := r.userKey(hex.EncodeToString(sum[:]))
	value := []byte(strconv.FormatInt(before.Unix(), 10))
	// atLeast reads the marker and reports whether it is already at or
	// after before; missing counts as done when missingOK (a read-back
	// that an eventually consistent store answers from before the
	// write).
	atLeast := func(missingOK bool) (bool, error) {
		cur, err := r.store.Get(ctx, key)
		switch {
		case errors.Is(err, ErrNotFound):
			if missingOK && r.cache != nil {
				r.cache.putUser(sum, before, r.now())
			}
			return missingOK, nil
		case err != nil:
			return false, err
		}
		t, err := parseUnix(cur)
		if err != nil {
			return false, err
		}
		if !t.Before(before) {
			if r.cache != nil {
				r.cache.putUser(sum, t, r.now())
			}
			return true, nil
		}
		return false, nil
	}
	for attempt := 0; attempt < 4; attempt++ {
		if done, err := atLeast(false); done || err != nil {
			return err
		}
		if err := r.store.Set(ctx, key, value, r.ttl); err != nil {
			return err
		}
		// Read back: a concurrent RevokeUser with an earlier time may
		// have written after this one; then write again.
		if done, err := atLeast(true); done || err != nil {
			return err
		}
	}
	return newErr("revocations", "revoke", ErrUnavailable, 0, "the user marker keeps being overwritten with an earlier time")
}

func parseUnix(b []byte) (time.Time, error) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, newErr("revocations", "check", ErrProtocol, 0, "user marker is not a time")
	}
	return time.Unix(n, 0), nil
}

// getMulti reads keys with GetMulti where the store has it, else one
// Get per key.
func (r *Revocations) getMulti(ctx context.Context, keys []string) ([][]byte, error) {
	return getMulti(ctx, r.store, keys)
}

func getMulti(ctx context.Context, s Store, keys []string) ([][]byte, error) {
	if m, ok := s.(MultiGetter); ok {
		vals, err := m.GetMulti(ctx, keys...)
		if err == nil {
			if len(vals) != len(keys) {
				return nil, newErr("revocations", "get", ErrProtocol, 0, "store answered a different number of values")
			}
			return vals, nil
		}
		if !errors.Is(err, errors.ErrUnsupported) {
			return nil, err
		}
	}
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.Get(ctx, k)
		switch {
		case err == nil:
			if v == nil {
				v = []byte{}
			}
			vals[i] = v
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return vals, nil
}
