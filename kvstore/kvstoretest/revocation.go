package kvstoretest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// Revocation checks kvstore.Revocations over s (as a second server with
// no cache would see it), and, where s implements them, MultiGetter and
// UserIndex with Sessions' per-user listing. A store that implements
// neither still runs the Revocations checks: they work over any Store.
func Revocation(t *testing.T, s kvstore.Store, prefix string) {
	ctx := context.Background()
	t.Run("revocations", func(t *testing.T) {
		opts := kvstore.RevocationOptions{Prefix: prefix + "rev:", MaxStale: -1}
		here, elsewhere := kvstore.NewRevocations(s, opts), kvstore.NewRevocations(s, opts)
		now := time.Now().Truncate(time.Second)
		info := func(user string, created time.Time) cookiestore.SessionInfo {
			return cookiestore.SessionInfo{ID: kvstore.NewSessionID().Encode(), User: user, Created: created, End: created.Add(time.Hour)}
		}
		user := "user-" + kvstore.NewSessionID().StoreKey()[:8]
		a, b, other := info(user, now.Add(-time.Minute)), info(user, now.Add(-time.Minute)), info(user+"x", now.Add(-time.Minute))
		for _, x := range []cookiestore.SessionInfo{a, b, other} {
			if err := elsewhere.Check(ctx, x); err != nil {
				t.Fatalf("Check of a live session: %v", err)
			}
		}
		if err := here.Revoke(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := elsewhere.Check(ctx, a); !errors.Is(err, cookiestore.ErrRevoked) {
			t.Fatalf("Check after Revoke: %v, want ErrRevoked", err)
		}
		if err := elsewhere.Check(ctx, b); err != nil {
			t.Fatalf("another session of the user after Revoke: %v", err)
		}
		if err := here.RevokeUser(ctx, user, now); err != nil {
			t.Fatal(err)
		}
		if err := here.RevokeUser(ctx, user, now.Add(-time.Hour)); err != nil { // never moves back
			t.Fatal(err)
		}
		if err := elsewhere.Check(ctx, b); !errors.Is(err, cookiestore.ErrRevoked) {
			t.Fatalf("Check after RevokeUser: %v, want ErrRevoked", err)
		}
		for _, x := range []cookiestore.SessionInfo{other, info(user, now.Add(time.Second))} {
			if err := elsewhere.Check(ctx, x); err != nil {
				t.Fatalf("a session RevokeUser does not cover: %v", err)
			}
		}
	})
	t.Run("GetMulti", func(t *testing.T) {
		m, ok := s.(kvstore.MultiGetter)
		if !ok {
			t.Skip("the store has no GetMulti; Revocations reads one key at a time")
		}
		k := prefix + "mget:" + kvstore.NewSessionID().StoreKey()[:8] + ":"
		if err := s.Set(ctx, k+"a", []byte{0, 0xff}, time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := m.GetMulti(ctx, k+"x", k+"a", k+"y")
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip("GetMulti unsupported in this configuration")
		}
		if err != nil || len(got) != 3 || got[0] != nil || !bytes.Equal(got[1], []byte{0, 0xff}) || got[2] != nil {
			t.Fatalf("GetMulti(missing, a, missing) = %q, %v", got, err)
		}
	})
	t.Run("UserIndex", func(t *testing.T) {
		ix, ok := s.(kvstore.UserIndex)
		if !ok {
			t.Skip("the store has no UserIndex")
		}
		ss := kvstore.NewSessions(s)
		ss.Prefix = prefix + "idx:"
		user := "user-" + kvstore.NewSessionID().StoreKey()[:8]
		var ids []kvstore.SessionID
		for i := 0; i < 3; i++ {
			id := kvstore.NewSessionID()
			ids = append(ids, id)
			if err := ss.Index(ctx, id, user, time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := ss.Save(ctx, id, []byte("v"), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		if err := ss.Delete(ctx, ids[2]); err != nil { // a logout
			t.Fatal(err)
		}
		h, err := ss.UserSessions(ctx, user)
		if err != nil || len(h) != 2 {
			t.Fatalf("UserSessions: %d, %v; want the 2 live sessions", len(h), err)
		}
		if n, err := ss.EndUserSessions(ctx, user); err != nil || n != 2 {
			t.Fatalf("EndUserSessions: %d, %v", n, err)
		}
		for _, id := range ids {
			if _, _, err := ss.Load(ctx, id.Encode()); !errors.Is(err, kvstore.ErrNotFound) {
				t.Fatalf("a session outlived EndUserSessions: %v", err)
			}
		}
		if m, err := ix.Members(ctx, prefix+"idx:none"); err != nil || len(m) != 0 {
			t.Fatalf("Members of an empty index: %v, %v", m, err)
		}
	})
}
