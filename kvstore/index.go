package kvstore

import (
	"context"
	"errors"
	"time"
)

// UserIndex is implemented by stores that keep a set of members under
// one key, each member with its own expiry: Memory, Webdis and Upstash
// (a Redis sorted set), Cloudflare KV (one key per member, found by
// prefix listing). Sessions uses it to list a user's sessions and end
// them all.
type UserIndex interface {
	// AddMember adds member to the set under key, or renews it, for
	// ttl. The set itself is kept at least as long as its longest-
	// lived member (at most MaxIndexTTL after the last AddMember).
	AddMember(ctx context.Context, key, member string, ttl time.Duration) error
	// Members returns the set's members. It may return members whose
	// own expiry has passed (Sessions checks each against its record).
	Members(ctx context.Context, key string) ([]string, error)
	// RemoveMember removes member from the set; a missing one is not an
	// error.
	RemoveMember(ctx context.Context, key, member string) error
}

// MaxIndexTTL is how long a Redis set behind UserIndex lives after its
// last AddMember: cookiestore's longest session lifetime (400 days), so
// the set outlives every member without reading their expiries.
const MaxIndexTTL = 400 * 24 * time.Hour

// SessionHandle names a server-side session without opening it: the
// hash its record is stored under (SessionID.StoreKey). Unlike a
// SessionID it is no credential, so it may be shown to the user (a
// list of their devices) and logged; EndSession ends the session it
// names.
type SessionHandle string

// indexKey is where a user's sessions are listed: "u:" cannot start a
// record key, whose hash part is lowercase hex, nor the tombstones' "r:".
func (s *Sessions) indexKey(user string) string { return s.Prefix + "u:" + UserKey(user) }

func (s *Sessions) userIndex(op string) (UserIndex, error) {
	ix, ok := s.Store.(UserIndex)
	if !ok {
		return nil, newErr("session", op, errors.ErrUnsupported, 0, "the store keeps no per-user index")
	}
	return ix, nil
}

// Index lists session id under user for ttl (its remaining lifetime),
// so that UserSessions finds it and EndUserSessions ends it. Backend
// calls it on every save when BackendOptions.IndexUsers is set.
func (s *Sessions) Index(ctx context.Context, id SessionID, user string, ttl time.Duration) error {
	if user == "" || id.IsZero() {
		return newErr("session", "index", ErrBadKey, 0, "empty user or zero session ID")
	}
	ix, err := s.userIndex("index")
	if err != nil {
		return err
	}
	return ix.AddMember(ctx, s.indexKey(user), id.StoreKey(), ttl)
}

// UserSessions returns the handles of user's live sessions (those whose
// record exists), and drops from the index those that ended (deleted,
// expired, evicted). On Cloudflare KV a listing can lag writes by up to
// a minute, like its reads.
func (s *Sessions) UserSessions(ctx context.Context, user string) ([]SessionHandle, error) {
	if user == "" {
		return nil, newErr("session", "members", ErrBadKey, 0, "empty user")
	}
	ix, err := s.userIndex("members")
	if err != nil {
		return nil, err
	}
	key := s.indexKey(user)
	members, err := ix.Members(ctx, key)
	if err != nil || len(members) == 0 {
		return nil, err
	}
	keys := make([]string, 0, len(members))
	var live []SessionHandle
	for _, m := range members {
		if !isHash(m) {
			// Not written by Index: leave it alone, list nothing.
			continue
		}
		keys = append(keys, s.Prefix+m)
		live = append(live, SessionHandle(m))
	}
	vals, err := getMulti(ctx, s.Store, keys)
	if err != nil {
		return nil, err
	}
	out := live[:0]
	for i, h := range live {
		if vals[i] != nil {
			out = append(out, h)
			continue
		}
		// Best effort: a stale member only costs a read next time.
		_ = ix.RemoveMember(ctx, key, string(h))
	}
	return out, nil
}

// EndUserSessions ends every live session of user, as Delete does
// (tombstone, then record), and returns how many it ended. A session
// created while it runs (a login in another tab) may survive; for "log
// out everywhere" that must also hold against such a race, combine it
// with Revocations.RevokeUser, which cookiestore checks on every load.
func (s *Sessions) EndUserSessions(ctx context.Context, user string) (int, error) {
	handles, err := s.UserSessions(ctx, user)
	if err != nil {
		return 0, err
	}
	ix, _ := s.userIndex("members")
	n := 0
	for _, h := range handles {
		if err := s.EndSession(ctx, h); err != nil {
			return n, err
		}
		n++
		_ = ix.RemoveMember(ctx, s.indexKey(user), string(h))
	}
	return n, nil
}

// EndSession ends the session h names, like Delete.
func (s *Sessions) EndSession(ctx context.Context, h SessionHandle) error {
	if !isHash(string(h)) {
		return newErr("session", "delete", ErrBadKey, 0, "not a session handle")
	}
	return s.deleteHash(ctx, string(h))
}

// isHash reports whether m is a StoreKey: 64 lowercase hex digits.
func isHash(m string) bool {
	if len(m) != 64 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
