package kvstore_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
)

// revApp is a cookie-only session app (the whole session in an
// encrypted cookie) whose sessions are revocable through a kvstore
// store, over a real http.Server.
type revApp struct {
	srv *httptest.Server
	clk *clock
	rev *kvstore.Revocations
	mu  sync.Mutex
	err []error
}

func newRevApp(t *testing.T, store kvstore.Store, failOpen bool) *revApp {
	t.Helper()
	a := &revApp{clk: &clock{now: time.Now()}}
	a.rev = kvstore.NewRevocations(store, kvstore.RevocationOptions{Prefix: "revapp:" + t.Name() + ":", Now: a.clk.Now})
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := cookiestore.Options[account]{
		InsecureHTTP: true,
		Now:          a.clk.Now,
		User:         func(d *account) string { return d.User },
		Revocation:   a.rev,
		OnError: func(_ context.Context, err error) {
			a.mu.Lock()
			a.err = append(a.err, err)
			a.mu.Unlock()
		},
	}
	if failOpen {
		opts.RevocationFailOpen = cookiestore.ReadOnlyRequest
	}
	st, err := cookiestore.New(encrypted.New(ring, crumb.WithClock(a.clk.Now)), opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		s.Regenerate()
		s.Data.User = r.URL.Query().Get("u")
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		io.WriteString(w, s.Data.User)
		if s.Unverified() {
			io.WriteString(w, " (unverified)")
		}
	})
	mux.HandleFunc("POST /count", func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Data.N++
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Destroy()
	})
	mux.HandleFunc("POST /logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		if err := a.rev.RevokeUser(r.Context(), s.Data.User, time.Time{}); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		s.Destroy()
	})
	a.srv = httptest.NewServer(st.Middleware(mux))
	t.Cleanup(a.srv.Close)
	return a
}

// do sends a request with the Cookie header cookie and returns the
// status, the body and the cookie a browser would then hold ("" when
// the response cleared it, cookie itself when it set none).
func (a *revApp) do(t *testing.T, method, path, cookie string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			cookie = ""
			if c.MaxAge >= 0 {
				cookie = "session=" + c.Value
			}
		}
	}
	return resp.StatusCode, string(b), cookie
}

func (a *revApp) errs() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]error(nil), a.err...)
}

// TestCookieRevocationThroughTheMiddleware: cookie sessions, revocable.
// A copy of a cookie taken before its logout opens nothing after it;
// "log out everywhere" ends the user's other sessions (another browser)
// and not other users'; a store that cannot be read answers 503, or
// with RevocationFailOpen serves read-only requests from an unverified
// session that is never saved. On Memory and on Webdis (whose Redis is
// stopped for the outage).
func TestCookieRevocationThroughTheMiddleware(t *testing.T) {
	type backing struct {
		name  string
		store func(t *testing.T) (kvstore.Store, func(), func())
	}
	backings := []backing{
		{"memory", func(t *testing.T) (kvstore.Store, func(), func()) {
			s := &readCounter{Store: kvstore.NewMemory(kvstore.MemoryConfig{})}
			return s, func() { s.down.Store(true) }, func() { s.down.Store(false) }
		}},
		{"webdis", func(t *testing.T) (kvstore.Store, func(), func()) {
			r := servicetest.StartRedis(t)
			w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{})
			isDown := false
			return newWebdis(t, w, func(c *kvstore.WebdisConfig) { c.ReadRetries = -1 }), func() { r.Kill(); isDown = true }, func() {
				if isDown {
					if err := r.Restart(); err != nil {
						t.Fatal(err)
					}
					isDown = false
				}
			}
		}},
	}
	for _, b := range backings {
		t.Run(b.name, func(t *testing.T) {
			store, down, up := b.store(t)
			for _, failOpen := range []bool{false, true} {
				name := "fail closed"
				if failOpen {
					name = "fail open"
				}
				t.Run(name, func(t *testing.T) {
					a := newRevApp(t, store, failOpen)
					_, _, browser1 := a.do(t, "POST", "/login?u=ada", "")
					_, _, browser2 := a.do(t, "POST", "/login?u=ada", "")
					_, _, bob := a.do(t, "POST", "/login?u=bob", "")
					for _, c := range []string{browser1, browser2} {
						if st, body, _ := a.do(t, "GET", "/me", c); st != 200 || body != "ada" {
							t.Fatalf("logged in: %d %q", st, body)
						}
					}

					// Log out this session: a copy of its cookie is worthless.
					stolen := browser1
					if st, _, c := a.do(t, "POST", "/logout", browser1); st != 200 || c != "" {
						t.Fatalf("logout: %d, cookie %q", st, c)
					}
					st, body, c := a.do(t, "GET", "/me", stolen)
					if st != 200 || body != "" || c != "" {
						t.Fatalf("copy of a logged-out cookie: %d %q, cookie kept %v; want anonymous and cleared", st, body, c != "")
					}
					if errs := a.errs(); len(errs) == 0 || !errors.Is(errs[len(errs)-1], cookiestore.ErrRevoked) {
						t.Fatalf("OnError after the copied cookie: %v, want ErrRevoked", errs)
					}
					if st, body, _ := a.do(t, "GET", "/me", browser2); st != 200 || body != "ada" {
						t.Fatalf("the other browser after one logout: %d %q", st, body)
					}

					// Log out everywhere, from a third browser.
					a.clk.Add(time.Second)
					_, _, browser3 := a.do(t, "POST", "/login?u=ada", "")
					if st, _, _ := a.do(t, "POST", "/logout-everywhere", browser3); st != 200 {
						t.Fatalf("logout everywhere: %d", st)
					}
					for _, c := range []string{browser2, browser3} {
						if st, body, _ := a.do(t, "GET", "/me", c); st != 200 || body != "" {
							t.Fatalf("a session of the user after logout everywhere: %d %q, want anonymous", st, body)
						}
					}
					if st, body, _ := a.do(t, "GET", "/me", bob); st != 200 || body != "bob" {
						t.Fatalf("another user after logout everywhere: %d %q", st, body)
					}
					a.clk.Add(time.Second)
					_, _, again := a.do(t, "POST", "/login?u=ada", "")
					if st, body, _ := a.do(t, "GET", "/me", again); st != 200 || body != "ada" {
						t.Fatalf("a new login after logout everywhere: %d %q", st, body)
					}

					// The store goes down. Cached answers are used for
					// MaxStale at most; then the store must answer.
					down()
					defer up()
					a.clk.Add(kvstore.DefaultMaxStale + time.Second)
					st, body, c = a.do(t, "GET", "/me", bob)
					switch {
					case !failOpen && (st != http.StatusServiceUnavailable || strings.Contains(body, "bob") || c != bob):
						t.Fatalf("GET with the store down: %d %q; want 503 without session data, cookie untouched", st, body)
					case failOpen && (st != 200 || body != "bob (unverified)" || c != bob):
						t.Fatalf("GET with the store down, fail open: %d %q; want the unverified session, cookie untouched", st, body)
					}
					if errs := a.errs(); !errors.Is(errs[len(errs)-1], cookiestore.ErrBackend) {
						t.Fatalf("OnError with the store down: %v, want ErrBackend", errs[len(errs)-1])
					}
					// A renewal would be due: an unverified session is
					// not extended.
					a.clk.Add(12 * time.Hour)
					if st, _, c := a.do(t, "GET", "/me", bob); failOpen && (st != 200 || c != bob) {
						t.Fatalf("renewal due with the store down, fail open: %d, new cookie %v; want none", st, c != bob)
					}
					if st, _, c := a.do(t, "POST", "/count", bob); st != http.StatusServiceUnavailable || c != bob {
						t.Fatalf("POST with the store down: %d; want 503 whatever the fail-open setting", st)
					}
					up()
					ok := false
					for i := 0; i < 100 && !ok; i++ {
						st, body, _ = a.do(t, "GET", "/me", bob)
						ok = st == 200 && body == "bob"
						if !ok {
							time.Sleep(50 * time.Millisecond)
						}
					}
					if !ok {
						t.Fatalf("after the store came back: %d %q", st, body)
					}
				})
			}
		})
	}
}
