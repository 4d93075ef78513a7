package cookiestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestReload: Reload re-reads the session from its backend within a
// request: another request's saved change shows, an uncommitted change
// is dropped, a record deleted meanwhile gives a fresh session.
func TestReload(t *testing.T) {
	ctx := context.Background()
	t.Run("server-side", func(t *testing.T) {
		e := newEnv(t, ring(t), cookiestore.Options[account]{Backend: &mapBackend{recs: map[string][]byte{}}})
		e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a"; s.Flash("note", "hi") })
		cookie := e.header()
		a, _ := e.store.LoadHeader(ctx, cookie)
		b, _ := e.store.LoadHeader(ctx, cookie)
		b.Data.Failed = 7
		if _, err := e.store.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
		a.Data.Email = "uncommitted"
		if err := e.store.Reload(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.IsNew() || a.Data.Email != "a" || a.Data.Failed != 7 {
			t.Fatalf("after Reload: new=%v %+v", a.IsNew(), a.Data)
		}
		// B's commit dealt with the flash, so the record has none.
		if len(a.FlashKeys()) != 0 {
			t.Fatalf("flashes after Reload: %q", a.FlashKeys())
		}
		// A logout elsewhere.
		c, _ := e.store.LoadHeader(ctx, cookie)
		c.Destroy()
		if _, err := e.store.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := e.store.Reload(ctx, a); !errors.Is(err, cookiestore.ErrMissing) || !a.IsNew() || a.Data.Email != "" {
			t.Fatalf("Reload after a logout: %v, new=%v %+v", err, a.IsNew(), a.Data)
		}
		// The response clears the cookie.
		lines, err := e.store.Commit(ctx, a)
		if err != nil || len(lines) != 1 {
			t.Fatalf("commit after a failed Reload: %v %q", err, lines)
		}
	})
	t.Run("cookie", func(t *testing.T) {
		e := newEnv(t, ring(t), cookiestore.Options[account]{})
		e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
		s, _ := e.store.LoadHeader(ctx, e.header())
		s.Data.Email = "b"
		if err := e.store.Reload(ctx, s); err != nil || s.Data.Email != "a" {
			t.Fatalf("Reload: %v %+v", err, s.Data)
		}
		if lines, err := e.store.Commit(ctx, s); err != nil || lines != nil {
			t.Fatalf("commit after Reload: %v %q, want nothing to send", err, lines)
		}
		s.Data.Email = "c"
		if _, err := e.store.Commit(ctx, s); err != nil {
			t.Fatal(err)
		}
		s.Data.Email = "d"
		if err := e.store.Reload(ctx, s); err != nil || s.Data.Email != "c" {
			t.Fatalf("Reload after a Commit: %v %+v, want the committed data", err, s.Data)
		}
		n, _ := e.store.LoadHeader(ctx, "")
		n.Data.Email = "x"
		if err := e.store.Reload(ctx, n); err != nil || !n.IsNew() || n.Data.Email != "" {
			t.Fatalf("Reload of a new session: %v %+v", err, n.Data)
		}
	})
}
