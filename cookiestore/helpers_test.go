package cookiestore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// clock is a settable clock shared by a store and its sealer.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type account struct {
	Email  string `json:"email,omitempty"`
	Failed int    `json:"failed,omitempty"`
	Blob   string `json:"blob,omitempty"`
}

func ring(t testing.TB) *keys.Ring {
	t.Helper()
	r, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// env is a store with a fake cookie jar, driven through the engine API.
type env struct {
	t     testing.TB
	clk   *clock
	store *cookiestore.Store[account]
	jar   map[string]string
	order []string
	errs  []error
	mu    sync.Mutex
}

func newEnv(t testing.TB, r *keys.Ring, opts cookiestore.Options[account]) *env {
	t.Helper()
	e := &env{t: t, clk: newClock(), jar: map[string]string{}}
	if opts.Now == nil {
		opts.Now = e.clk.Now
	}
	if opts.OnError == nil {
		opts.OnError = func(_ context.Context, err error) {
			e.mu.Lock()
			e.errs = append(e.errs, err)
			e.mu.Unlock()
		}
	}
	st, err := cookiestore.New(encrypted.New(r, crumb.WithClock(e.clk.Now)), opts)
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	return e
}

// header renders the jar as a Cookie header, in insertion order.
func (e *env) header() string {
	var parts []string
	for _, n := range e.order {
		if v, ok := e.jar[n]; ok {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// apply stores Set-Cookie lines in the jar the way a browser would.
func (e *env) apply(lines []string) {
	for _, l := range lines {
		if len(l) > cookiestore.MaxCookieLine {
			e.t.Fatalf("Set-Cookie line of %d bytes", len(l))
		}
		nv, attrs, _ := strings.Cut(l, ";")
		name, value, _ := strings.Cut(nv, "=")
		if strings.Contains(attrs, "Max-Age=0") {
			delete(e.jar, name)
			continue
		}
		if _, ok := e.jar[name]; !ok {
			e.order = append(e.order, name)
		}
		e.jar[name] = value
	}
}

// request loads, runs fn, commits and applies the lines.
func (e *env) request(fn func(s *cookiestore.Session[account])) (lines []string, loadErr error) {
	e.t.Helper()
	ctx := context.Background()
	s, loadErr := e.store.LoadHeader(ctx, e.header())
	if fn != nil {
		fn(s)
	}
	lines, err := e.store.Commit(ctx, s)
	if err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	e.apply(lines)
	return lines, loadErr
}

// flipChar returns s with the character at i replaced by a different
// base64url character, whatever it was.
func flipChar(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// mustStore is New for tests with the account data type.
func mustStore(t testing.TB, s crumb.Sealer, o cookiestore.Options[account]) *cookiestore.Store[account] {
	t.Helper()
	st, err := cookiestore.New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
