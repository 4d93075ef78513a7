package kvstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

// TestGetMulti: values in key order, nil for a missing key, whichever
// keys exist (Webdis's MGET reply leaves nils out; see GetMulti).
func TestGetMulti(t *testing.T) {
	ctx := context.Background()
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			store := st.store(t)
			p := fmt.Sprintf("mget:%d:", time.Now().UnixNano())
			if err := store.Set(ctx, p+"a", []byte{0, 0xff, 'a'}, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := store.Set(ctx, p+"b", []byte("b"), time.Minute); err != nil {
				t.Fatal(err)
			}
			m, ok := store.(kvstore.MultiGetter)
			if !ok {
				t.Fatal("no GetMulti")
			}
			for _, c := range []struct {
				keys []string
				want [][]byte
			}{
				{[]string{"a", "b"}, [][]byte{{0, 0xff, 'a'}, []byte("b")}},
				{[]string{"x", "y"}, [][]byte{nil, nil}},
				{[]string{"x", "b"}, [][]byte{nil, []byte("b")}},
				{[]string{"a", "x"}, [][]byte{{0, 0xff, 'a'}, nil}},
				{[]string{"x", "a", "y", "b"}, [][]byte{nil, {0, 0xff, 'a'}, nil, []byte("b")}},
			} {
				full := make([]string, len(c.keys))
				for i, k := range c.keys {
					full[i] = p + k
				}
				got, err := m.GetMulti(ctx, full...)
				if st.name == "cloudflare" {
					if !errors.Is(err, errors.ErrUnsupported) {
						t.Fatalf("Cloudflare GetMulti: %v, want ErrUnsupported", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("GetMulti(%v): %v", c.keys, err)
				}
				if len(got) != len(c.want) {
					t.Fatalf("GetMulti(%v): %d values", c.keys, len(got))
				}
				for i := range got {
					if (got[i] == nil) != (c.want[i] == nil) || !bytes.Equal(got[i], c.want[i]) {
						t.Fatalf("GetMulti(%v)[%d] = %q, want %q", c.keys, i, got[i], c.want[i])
					}
				}
			}
		})
	}
}

// kvEngine is cookiestore's engine over a Backend that indexes sessions
// by user, with Account.User naming the user.
func kvEngine(t *testing.T, store kvstore.Store, prefix string) (*cookiestore.Store[account], *kvstore.Backend) {
	t.Helper()
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	backend := kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: prefix, IndexUsers: true})
	st, err := cookiestore.New(signed.New(ring, crumb.WithClock(time.Now)), cookiestore.Options[account]{
		Backend: backend,
		User:    func(a *account) string { return a.User },
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, backend
}

// login starts a session of user and returns its Cookie header.
func login(t *testing.T, st *cookiestore.Store[account], user string) string {
	t.Helper()
	s, _ := st.LoadHeader(context.Background(), "")
	s.Data.User = user
	lines, err := st.Commit(context.Background(), s)
	if err != nil || len(lines) == 0 {
		t.Fatalf("login: %v", err)
	}
	return cutCookie(lines[0])
}

func cutCookie(line string) string {
	c, _, _ := bytes.Cut([]byte(line), []byte(";"))
	return string(c)
}

// TestUserSessions lists a user's live server-side sessions and ends
// them all, on every store: other users' sessions live on, ended and
// logged-out sessions are not listed, and the ended cookies open
// nothing.
func TestUserSessions(t *testing.T) {
	ctx := context.Background()
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			store := st.store(t)
			prefix := fmt.Sprintf("idx:%d:", time.Now().UnixNano())
			cs, backend := kvEngine(t, store, prefix)
			sessions := backend.Sessions()

			var ada []string
			for i := 0; i < 3; i++ {
				ada = append(ada, login(t, cs, "ada@example.com"))
			}
			bob := login(t, cs, "bob@example.com")
			anon, _ := cs.LoadHeader(ctx, "")
			anon.Data.Note = "no user"
			if _, err := cs.Commit(ctx, anon); err != nil {
				t.Fatal(err)
			}

			// A logout removes one from the list.
			s, err := cs.LoadHeader(ctx, ada[2])
			if err != nil {
				t.Fatal(err)
			}
			s.Destroy()
			if _, err := cs.Commit(ctx, s); err != nil {
				t.Fatal(err)
			}
			handles, err := sessions.UserSessions(ctx, "ada@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if len(handles) != 2 {
				t.Fatalf("ada has %d live sessions listed, want 2", len(handles))
			}
			for _, h := range handles {
				for _, c := range ada {
					if bytes.Contains([]byte(c), []byte(h)) {
						t.Fatal("a handle is part of a cookie")
					}
				}
			}
			if b, err := sessions.UserSessions(ctx, "bob@example.com"); err != nil || len(b) != 1 {
				t.Fatalf("bob: %d sessions, %v", len(b), err)
			}

			n, err := sessions.EndUserSessions(ctx, "ada@example.com")
			if err != nil || n != 2 {
				t.Fatalf("EndUserSessions: %d, %v; want 2", n, err)
			}
			for _, c := range ada {
				if s, err := cs.LoadHeader(ctx, c); !s.IsNew() || !errors.Is(err, cookiestore.ErrMissing) {
					t.Fatalf("ada's cookie after EndUserSessions: %v, want a fresh session", err)
				}
			}
			if s, err := cs.LoadHeader(ctx, bob); err != nil || s.Data.User != "bob@example.com" {
				t.Fatalf("bob's session after ending ada's: %v", err)
			}
			if h, err := sessions.UserSessions(ctx, "ada@example.com"); err != nil || len(h) != 0 {
				t.Fatalf("ada's sessions after the end: %d, %v", len(h), err)
			}
			if err := sessions.EndSession(ctx, "not-a-handle"); !errors.Is(err, kvstore.ErrBadKey) {
				t.Fatalf("EndSession of garbage: %v", err)
			}
		})
	}
}

// TestUserSessionsCloudflarePaging: the listing follows Cloudflare's
// cursor across pages.
func TestUserSessionsCloudflarePaging(t *testing.T) {
	ctx := context.Background()
	f, srv := newFakeCloudflare(t)
	f.pageSize = 2
	cs, backend := kvEngine(t, newCloudflare(t, f, srv, nil), "page:")
	for i := 0; i < 5; i++ {
		login(t, cs, "ada@example.com")
	}
	login(t, cs, "bob@example.com")
	handles, err := backend.Sessions().UserSessions(ctx, "ada@example.com")
	if err != nil || len(handles) != 5 {
		t.Fatalf("%d sessions over pages of 2, %v; want 5", len(handles), err)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(handles)))) != 5 {
		t.Fatal("a session was listed twice")
	}
}

// TestIndexNeedsAStoreThatIndexes: IndexUsers over a store without
// UserIndex fails the save instead of leaving sessions unlisted.
func TestIndexNeedsAStoreThatIndexes(t *testing.T) {
	cs, _ := kvEngine(t, struct{ kvstore.Store }{kvstore.NewMemory(kvstore.MemoryConfig{})}, "")
	s, _ := cs.LoadHeader(context.Background(), "")
	s.Data.User = "ada"
	if _, err := cs.Commit(context.Background(), s); !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, cookiestore.ErrBackend) {
		t.Fatalf("Commit: %v, want ErrBackend wrapping ErrUnsupported", err)
	}
}
