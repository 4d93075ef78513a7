package kvstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// TestRegenerateAfterLogoutStaysDeleted: a request that loaded the
// session before a concurrent logout and then regenerates it (a login
// form submitted in another tab) must not bring the session back under
// a new ID, through the cookiestore Backend or Sessions.Regenerate.
func TestRegenerateAfterLogoutStaysDeleted(t *testing.T) {
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			store := st.store(t)
			t.Run("backend", func(t *testing.T) {
				e := newEngine(t, store, "regen:"+st.name+":")
				s := e.load(t, "")
				s.Data.User = "ada"
				cookie := e.commit(t, s)

				a := e.load(t, cookie) // request A starts
				b := e.load(t, cookie) // request B starts
				b.Destroy()
				e.commit(t, b) // B logs out
				a.Regenerate()
				a.Data.N++
				lines, err := e.st.Commit(context.Background(), a)
				if err == nil || lines != nil || !errors.Is(err, cookiestore.ErrMissing) || !errors.Is(err, kvstore.ErrNotFound) {
					t.Fatalf("A's Regenerate after the logout: %v, %d lines; want ErrMissing and ErrNotFound, no cookie", err, len(lines))
				}
				if _, _, err := e.sessions.Load(context.Background(), mustParse(t, a.ID()).Encode()); !errors.Is(err, kvstore.ErrNotFound) {
					t.Fatalf("the logged-out session lives on under the new ID: %v", err)
				}
			})
			t.Run("sessions", func(t *testing.T) {
				ss := kvstore.NewSessions(store)
				ss.Prefix = "regen2:" + st.name + ":"
				ctx := context.Background()
				old := kvstore.NewSessionID()
				if err := ss.Save(ctx, old, []byte("data"), time.Hour); err != nil {
					t.Fatal(err)
				}
				if err := ss.Delete(ctx, old); err != nil {
					t.Fatal(err)
				}
				id, err := ss.Regenerate(ctx, old, []byte("data"), time.Hour)
				if !errors.Is(err, kvstore.ErrNotFound) || !id.IsZero() {
					t.Fatalf("Regenerate of a deleted session: %v, id zero %v", err, id.IsZero())
				}
				// A live one still moves.
				live := kvstore.NewSessionID()
				if err := ss.Save(ctx, live, []byte("data"), time.Hour); err != nil {
					t.Fatal(err)
				}
				id, err = ss.Regenerate(ctx, live, []byte("data"), time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if _, data, err := ss.Load(ctx, id.Encode()); err != nil || string(data) != "data" {
					t.Fatalf("regenerated: %v", err)
				}
			})
		})
	}
}

func mustParse(t *testing.T, s string) kvstore.SessionID {
	t.Helper()
	id, err := kvstore.ParseSessionID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestReloadOverStores: Store.Reload re-reads a session another request
// changed, and finds it gone after a logout, on every store.
func TestReloadOverStores(t *testing.T) {
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			e := newEngine(t, st.store(t), "reload:"+st.name+":")
			s := e.load(t, "")
			s.Data.User = "ada"
			cookie := e.commit(t, s)
			a := e.load(t, cookie)
			b := e.load(t, cookie)
			b.Data.N = 9
			e.commit(t, b)
			if err := e.st.Reload(context.Background(), a); err != nil || a.Data.N != 9 {
				t.Fatalf("Reload: %v %+v", err, a.Data)
			}
			c := e.load(t, cookie)
			c.Destroy()
			e.commit(t, c)
			if err := e.st.Reload(context.Background(), a); !errors.Is(err, cookiestore.ErrMissing) || !a.IsNew() {
				t.Fatalf("Reload after logout: %v new=%v", err, a.IsNew())
			}
		})
	}
}
