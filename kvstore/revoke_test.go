package kvstore_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

// revocationStores are the stores a revocation must hold on: Memory,
// Webdis and Upstash with conditional writes, and Cloudflare (the
// documented fake) with tombstones only.
func revocationStores(t *testing.T) []struct {
	name  string
	store func(t *testing.T) kvstore.Store
} {
	return []struct {
		name  string
		store func(t *testing.T) kvstore.Store
	}{
		{"memory", func(t *testing.T) kvstore.Store { return kvstore.NewMemory(kvstore.MemoryConfig{}) }},
		{"webdis", func(t *testing.T) kvstore.Store { _, w := sharedWebdis(t); return newWebdis(t, w, nil) }},
		{"upstash", func(t *testing.T) kvstore.Store { return newUpstash(t, sharedUpstash(t), nil) }},
		{"cloudflare", func(t *testing.T) kvstore.Store { f, srv := newFakeCloudflare(t); return newCloudflare(t, f, srv, nil) }},
	}
}

// engine is cookiestore's engine (LoadHeader, Commit) over a kvstore
// Backend, with a manual clock, so a test can interleave two requests
// of one session exactly.
type engine struct {
	st       *cookiestore.Store[account]
	clk      *clock
	sessions *kvstore.Sessions // the same records, as the Backend stores them
}

func newEngine(t *testing.T, store kvstore.Store, prefix string) *engine {
	t.Helper()
	return newWrappedEngine(t, store, prefix, nil)
}

// newWrappedEngine is newEngine with the Backend passed through wrap
// (when not nil), for tests that watch what cookiestore asks of it.
func newWrappedEngine(t *testing.T, store kvstore.Store, prefix string, wrap func(cookiestore.Backend) cookiestore.Backend) *engine {
	t.Helper()
	e := &engine{clk: &clock{now: time.Now()}}
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	var backend cookiestore.Backend = kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: prefix, Now: e.clk.Now})
	if wrap != nil {
		backend = wrap(backend)
	}
	e.st, err = cookiestore.New(signed.New(ring, crumb.WithClock(e.clk.Now)), cookiestore.Options[account]{
		IdleTimeout: 24 * time.Hour,
		Now:         e.clk.Now,
		Backend:     backend,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sessions = kvstore.NewSessions(store)
	e.sessions.Prefix = prefix
	return e
}

// load is the start of a request carrying cookie ("" for none).
func (e *engine) load(t *testing.T, cookie string) *cookiestore.Session[account] {
	t.Helper()
	s, err := e.st.LoadHeader(context.Background(), cookie)
	if err != nil && cookie != "" {
		t.Fatalf("LoadHeader: %v", err)
	}
	return s
}

// commit ends a request and returns the Cookie header a browser would
// send next.
func (e *engine) commit(t *testing.T, s *cookiestore.Session[account]) string {
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

// TestRevocationIsNotUndone: a request that loaded the session before a
// concurrent logout (or a login that regenerated the ID) must not bring
// the record back when it saves, whether its save is an idle renewal
// (Touch) or a change (Set); and the old cookie must open nothing after.
func TestRevocationIsNotUndone(t *testing.T) {
	revokers := []struct {
		name   string
		revoke func(s *cookiestore.Session[account])
	}{
		{"logout", func(s *cookiestore.Session[account]) { s.Destroy() }},
		{"login elsewhere", func(s *cookiestore.Session[account]) { s.Regenerate(); s.Data.User = "admin" }},
	}
	saves := []struct {
		name   string
		later  time.Duration // between the first save and the racing requests
		change bool
	}{
		{"renewal", 7 * time.Hour, false}, // past RenewFraction (6 h of 24 h): a Touch
		{"change", time.Minute, true},     // a Set of an existing ID
	}
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			store := st.store(t)
			for _, rv := range revokers {
				for _, sv := range saves {
					t.Run(rv.name+"/"+sv.name, func(t *testing.T) {
						e := newEngine(t, store, "revoke:"+st.name+":")
						s := e.load(t, "")
						s.Data.User = "ada"
						cookie := e.commit(t, s)
						id := s.ID()
						e.clk.Add(sv.later)

						a := e.load(t, cookie) // request A starts
						b := e.load(t, cookie) // request B starts
						rv.revoke(b)
						e.commit(t, b) // B logs out: record deleted
						if sv.change {
							a.Data.N++
						}
						lines, err := e.st.Commit(context.Background(), a)
						if err == nil || lines != nil {
							t.Fatalf("A's commit after the revocation: %v, %d cookie lines; want an error and none", err, len(lines))
						}
						if !errors.Is(err, cookiestore.ErrBackend) || !errors.Is(err, cookiestore.ErrMissing) || !errors.Is(err, kvstore.ErrNotFound) {
							t.Fatalf("A's commit: %v, want ErrBackend, ErrMissing and ErrNotFound", err)
						}
						if _, data, err := e.sessions.Load(context.Background(), id); !errors.Is(err, kvstore.ErrNotFound) {
							t.Fatalf("the revoked record is back in the store (%d bytes, %v)", len(data), err)
						}
						c, err := e.st.LoadHeader(context.Background(), cookie)
						if !errors.Is(err, cookiestore.ErrMissing) || !c.IsNew() || c.Data.User != "" {
							t.Fatalf("the old cookie after the revocation: %v, user %q; want a fresh session", err, c.Data.User)
						}
					})
				}
			}
			// That new, changed, renewed and regenerated sessions are still
			// saved on these stores is kvstoretest's Sessions suite, which
			// each store's own test runs.
		})
	}
}

// TestRevocationThroughTheMiddleware is the reviewer's scenario over a
// real http.Server: request A holds the session while B logs out; A
// must then answer the failure status with no cookie and none of its
// handler's output, and the old cookie must open a fresh session.
func TestRevocationThroughTheMiddleware(t *testing.T) {
	for _, change := range []bool{false, true} {
		name := "renewal"
		path := "/hold"
		if change {
			name, path = "change", "/hold?change=1"
		}
		t.Run(name, func(t *testing.T) {
			a := newApp(t, kvstore.NewMemory(kvstore.MemoryConfig{}), nil)
			res := a.do(t, "/set?u=ada", nil)
			cookie := res.cookie
			a.clk.Add(7 * time.Hour) // renewal due

			done := make(chan reply, 1)
			go func() { done <- a.do(t, path, cookie) }()
			<-a.entered
			if res = a.do(t, "/logout", cookie); res.status != 200 || res.cookie == nil || res.cookie.MaxAge >= 0 {
				t.Fatalf("/logout: %d %+v", res.status, res.cookie)
			}
			close(a.release)
			held := <-done
			if held.status != http.StatusServiceUnavailable || held.cookie != nil || strings.Contains(held.body, "ada") {
				t.Fatalf("request racing the logout: %d %q, cookie sent: %v; want 503, no cookie, no session data", held.status, held.body, held.cookie != nil)
			}
			if err := a.lastErr(); !errors.Is(err, cookiestore.ErrMissing) {
				t.Fatalf("error hook: %v, want ErrMissing", err)
			}
			if res = a.do(t, "/get", cookie); res.status != 200 || res.body != "" {
				t.Fatalf("old cookie after logout: %d %q, want a fresh session", res.status, res.body)
			}
		})
	}
}

// The tombstone's TTL is RevokedTTL, checked where Redis can be asked.
func TestTombstoneTTL(t *testing.T) {
	r, w := sharedWebdis(t)
	s := kvstore.NewSessions(newWebdis(t, w, nil))
	s.Prefix = "tombttl:"
	id := kvstore.NewSessionID()
	if err := s.Delete(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if ttl := redisDo(t, r.Addr, "TTL", "tombttl:r:"+id.StoreKey()); ttl != "900" && ttl != "899" {
		t.Fatalf("tombstone TTL %v, want DefaultRevokedTTL (900 s)", ttl)
	}
}

// raceStore runs hook inside SetIfAbsent, before the write: a logout
// landing between Save's tombstone check and its create.
type raceStore struct {
	*kvstore.Memory
	hook func()
}

func (r *raceStore) SetIfAbsent(ctx context.Context, key string, v []byte, ttl time.Duration) (bool, error) {
	if r.hook != nil {
		r.hook()
		r.hook = nil
	}
	return r.Memory.SetIfAbsent(ctx, key, v, ttl)
}

// A record that vanished (expired, evicted) is re-created by a change,
// since without a tombstone it cannot be told from a new session; but a
// logout landing just before the create still wins.
func TestSaveAfterVanishedRecordRespectsALateLogout(t *testing.T) {
	ctx := context.Background()
	store := &raceStore{Memory: kvstore.NewMemory(kvstore.MemoryConfig{})}
	s := kvstore.NewSessions(store)
	id := kvstore.NewSessionID()

	if err := s.Save(ctx, id, []byte("vanished, then changed"), time.Hour); err != nil {
		t.Fatalf("Save of a missing record with no tombstone: %v", err)
	}
	if err := s.Store.Delete(ctx, s.Prefix+id.StoreKey()); err != nil { // evicted
		t.Fatal(err)
	}
	store.hook = func() {
		if err := s.Delete(ctx, id); err != nil { // the logout, mid-Save
			t.Error(err)
		}
	}
	if err := s.Save(ctx, id, []byte("must not stay"), time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("Save racing a logout: %v, want ErrNotFound", err)
	}
	if _, data, err := s.Load(ctx, id.Encode()); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("the logged-out record stayed: %q, %v", data, err)
	}
}
