package kvstoretest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

// Sessions checks kvstore.Sessions over s: a deleted session stays
// deleted (a tombstone, no Save or Refresh writes it back), records are
// stored under hashed IDs, and a request that loaded a session before a
// concurrent logout cannot undo the logout through cookiestore.
func Sessions(t *testing.T, s kvstore.Store, prefix string, caps Caps) {
	ctx := context.Background()
	t.Run("deleted sessions stay deleted", func(t *testing.T) {
		ss := kvstore.NewSessions(s)
		ss.Prefix = prefix + "tomb:"
		ss.RevokedTTL = 90 * time.Second
		id := kvstore.NewSessionID()
		if err := ss.Save(ctx, id, []byte("v1"), time.Hour); err != nil {
			t.Fatalf("Save of a new ID: %v", err)
		}
		if got, err := s.Get(ctx, ss.Prefix+id.StoreKey()); err != nil || string(got) != "v1" {
			t.Fatalf("record not under the prefixed hash of the ID: %q, %v", got, err)
		}
		if err := ss.Save(ctx, id, []byte("v2"), time.Hour); err != nil {
			t.Fatalf("Save of a live ID: %v", err)
		}
		if err := ss.Refresh(ctx, id, []byte("v2"), time.Hour); err != nil {
			t.Fatalf("Refresh of a live ID: %v", err)
		}
		if err := ss.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, ss.Prefix+"r:"+id.StoreKey()); err != nil {
			t.Fatalf("no tombstone after Delete: %v", err)
		}
		if err := ss.Save(ctx, id, []byte("v3"), time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("Save after Delete: %v, want ErrNotFound", err)
		}
		if err := ss.Refresh(ctx, id, []byte("v3"), time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("Refresh after Delete: %v, want ErrNotFound", err)
		}
		if _, data, err := ss.Load(ctx, id.Encode()); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("deleted session came back: %q, %v", data, err)
		}
		// A record that merely vanished (expired, evicted) is not
		// renewed either where the store can tell (Touch or conditional
		// writes); a change re-creates it, since without a tombstone it
		// cannot be told from a new session.
		other := kvstore.NewSessionID()
		err := ss.Refresh(ctx, other, []byte("x"), time.Hour)
		if (caps.Touch || caps.Conditional) && !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("Refresh of a missing record: %v, want ErrNotFound", err)
		}
	})
	t.Run("a logout is not undone by a request that started before it", func(t *testing.T) {
		for _, change := range []bool{false, true} {
			e := newEngine(t, s, prefix+"race:")
			sess := e.load(t, "")
			sess.Data.User = "ada"
			cookie := e.commit(t, sess)
			if change {
				e.clk.Add(time.Minute)
			} else {
				e.clk.Add(7 * time.Hour) // past RenewFraction: an idle renewal
			}
			a := e.load(t, cookie) // request A starts
			b := e.load(t, cookie) // request B starts
			b.Destroy()
			e.commit(t, b) // B logs out
			if change {
				a.Data.N++
			}
			lines, err := e.st.Commit(ctx, a)
			if err == nil || lines != nil {
				t.Fatalf("change=%v: A's commit after the logout: %v, %d cookie lines; want an error and none", change, err, len(lines))
			}
			if !errors.Is(err, cookiestore.ErrBackend) || !errors.Is(err, kvstore.ErrNotFound) {
				t.Fatalf("change=%v: A's commit: %v, want ErrBackend and ErrNotFound", change, err)
			}
			c, err := e.st.LoadHeader(ctx, cookie)
			if !errors.Is(err, cookiestore.ErrMissing) || c.Data.User != "" {
				t.Fatalf("change=%v: the old cookie after the logout: %v, user %q; want a fresh session", change, err, c.Data.User)
			}
		}
	})
	t.Run("new, changed, renewed and regenerated sessions are saved", func(t *testing.T) {
		e := newEngine(t, s, prefix+"live:")
		sess := e.load(t, "")
		sess.Data.User = "ada"
		cookie := e.commit(t, sess)
		sess = e.load(t, cookie)
		sess.Data.N = 5
		if c := e.commit(t, sess); c == "" {
			t.Fatal("a change sent no cookie")
		}
		e.clk.Add(7 * time.Hour)
		sess = e.load(t, cookie)
		if c := e.commit(t, sess); c == "" {
			t.Fatal("a renewal sent no cookie")
		} else {
			cookie = c
		}
		sess = e.load(t, cookie)
		if sess.Data.User != "ada" || sess.Data.N != 5 {
			t.Fatalf("after change and renewal: %+v", sess.Data)
		}
		sess.Regenerate()
		next := e.commit(t, sess)
		if sess = e.load(t, next); sess.Data.User != "ada" {
			t.Fatalf("after Regenerate: %+v", sess.Data)
		}
		if c, err := e.st.LoadHeader(ctx, cookie); !errors.Is(err, cookiestore.ErrMissing) || c.Data.User != "" {
			t.Fatalf("pre-login cookie: %v, %+v", err, c.Data)
		}
	})
}

// account is the session data of the suite's cookiestore sessions.
type account struct {
	User string
	N    int
}

// clock is a manual clock: no test here sleeps to pass time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// engine is cookiestore's engine (LoadHeader, Commit) over a kvstore
// Backend with a manual clock, so a test can interleave two requests
// of one session exactly.
type engine struct {
	st  *cookiestore.Store[account]
	clk *clock
}

func newEngine(t testing.TB, store kvstore.Store, prefix string) *engine {
	return newEngineHook(t, store, prefix, nil)
}

// newEngineHook is newEngine with cookiestore's error hook.
func newEngineHook(t testing.TB, store kvstore.Store, prefix string, onError func(context.Context, error)) *engine {
	t.Helper()
	e := &engine{clk: &clock{now: time.Now()}}
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	e.st, err = cookiestore.New(signed.New(ring, crumb.WithClock(e.clk.Now)), cookiestore.Options[account]{
		IdleTimeout:  24 * time.Hour,
		InsecureHTTP: true, // plain http on loopback in the fault tests
		Now:          e.clk.Now,
		OnError:      onError,
		Backend:      kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: prefix, Now: e.clk.Now}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// newCookieOnlyEngine is cookiestore with the session in the cookie, the
// baseline of Load.
func newCookieOnlyEngine(t testing.TB) *engine {
	t.Helper()
	e := &engine{clk: &clock{now: time.Now()}}
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	e.st, err = cookiestore.New(signed.New(ring, crumb.WithClock(e.clk.Now)), cookiestore.Options[account]{
		IdleTimeout: 24 * time.Hour, InsecureHTTP: true, Now: e.clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// load is the start of a request carrying cookie ("" for none).
func (e *engine) load(t testing.TB, cookie string) *cookiestore.Session[account] {
	t.Helper()
	s, err := e.st.LoadHeader(context.Background(), cookie)
	if err != nil && cookie != "" {
		t.Fatalf("LoadHeader: %v", err)
	}
	return s
}

// commit ends a request and returns the Cookie header a browser would
// send next ("" when none was set).
func (e *engine) commit(t testing.TB, s *cookiestore.Session[account]) string {
	t.Helper()
	lines, err := e.st.Commit(context.Background(), s)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if len(lines) == 0 {
		return ""
	}
	cookie, _, _ := strings.Cut(lines[0], ";")
	return cookie
}
