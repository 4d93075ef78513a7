package kvstore_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

type account struct {
	User string
	Note string
	N    int
}

// counting wraps a Store and counts its calls.
type counting struct {
	kvstore.Store
	gets, sets, touches, deletes atomic.Int64
}

func (c *counting) Get(ctx context.Context, k string) ([]byte, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, k)
}
func (c *counting) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	c.sets.Add(1)
	return c.Store.Set(ctx, k, v, ttl)
}

// The conditional writes and Touch are counted only when the store
// has them: Cloudflare's answer errors.ErrUnsupported without a round
// trip, and the caller falls back to a counted Get or Set.
func (c *counting) SetIfExists(ctx context.Context, k string, v []byte, ttl time.Duration) (bool, error) {
	if cs, ok := c.Store.(kvstore.ConditionalSetter); ok {
		stored, err := cs.SetIfExists(ctx, k, v, ttl)
		c.count(&c.sets, err)
		return stored, err
	}
	return false, errors.ErrUnsupported
}
func (c *counting) SetIfAbsent(ctx context.Context, k string, v []byte, ttl time.Duration) (bool, error) {
	if cs, ok := c.Store.(kvstore.ConditionalSetter); ok {
		stored, err := cs.SetIfAbsent(ctx, k, v, ttl)
		c.count(&c.sets, err)
		return stored, err
	}
	return false, errors.ErrUnsupported
}
func (c *counting) count(n *atomic.Int64, err error) {
	if !errors.Is(err, errors.ErrUnsupported) {
		n.Add(1)
	}
}
func (c *counting) Delete(ctx context.Context, k string) error {
	c.deletes.Add(1)
	return c.Store.Delete(ctx, k)
}
func (c *counting) Touch(ctx context.Context, k string, ttl time.Duration) error {
	if t, ok := c.Store.(kvstore.Toucher); ok {
		err := t.Touch(ctx, k, ttl)
		c.count(&c.touches, err)
		return err
	}
	return errors.ErrUnsupported
}
func (c *counting) calls() [4]int64 {
	return [4]int64{c.gets.Load(), c.sets.Load(), c.touches.Load(), c.deletes.Load()}
}

// app is a real http.Server (httptest) running cookiestore over a
// kvstore Backend, with a manual clock and a recorded error hook.
type app struct {
	srv *httptest.Server
	clk *clock
	// entered and release pace the /hold handler: it signals entered
	// once it has the session, then waits for release.
	entered, release chan struct{}
	mu               sync.Mutex
	errs             []error
	served           atomic.Int64 // handler bodies written
}

func newApp(t testing.TB, store kvstore.Store, mod func(*cookiestore.Options[account])) *app {
	t.Helper()
	a := &app{clk: &clock{now: time.Now()}, entered: make(chan struct{}, 1), release: make(chan struct{})}
	k, err := keys.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewRing(k)
	if err != nil {
		t.Fatal(err)
	}
	opts := cookiestore.Options[account]{
		InsecureHTTP: true, // plain http on loopback in tests
		IdleTimeout:  24 * time.Hour,
		Now:          a.clk.Now,
		OnError: func(_ context.Context, err error) {
			a.mu.Lock()
			a.errs = append(a.errs, err)
			a.mu.Unlock()
		},
	}
	if store != nil {
		opts.Backend = kvstore.NewBackend(store, kvstore.BackendOptions{Now: a.clk.Now})
	}
	if mod != nil {
		mod(&opts)
	}
	st, err := cookiestore.New(signed.New(ring, crumb.WithClock(a.clk.Now)), opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		s.Data.User = r.URL.Query().Get("u")
		s.Data.Note = strings.Repeat("n", 2000) // too big to be worth a cookie
		s.Data.N++
		w.Header().Set("X-Sid", s.ID())
		a.served.Add(1)
		io.WriteString(w, "saved "+s.Data.User)
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		w.Header().Set("X-Sid", s.ID())
		a.served.Add(1)
		io.WriteString(w, s.Data.User)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		s.Regenerate()
		s.Data.User = "admin:" + s.Data.User
		w.Header().Set("X-Sid", s.ID())
		a.served.Add(1)
		io.WriteString(w, "logged in")
	})
	mux.HandleFunc("/hold", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		if r.URL.Query().Has("change") {
			s.Data.N++
		}
		a.entered <- struct{}{}
		<-a.release
		a.served.Add(1)
		io.WriteString(w, "held "+s.Data.User)
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Destroy()
		a.served.Add(1)
		io.WriteString(w, "bye")
	})
	a.srv = httptest.NewServer(st.Middleware(mux))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) lastErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) == 0 {
		return nil
	}
	return a.errs[len(a.errs)-1]
}

type reply struct {
	status int
	body   string
	cookie *http.Cookie // the session cookie set by the response, if any
	sid    string       // the session ID the handler saw
}

// do sends a request carrying cookie (may be nil).
func (a *app) do(t testing.TB, path string, cookie *http.Cookie) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, body: string(b), sid: resp.Header.Get("X-Sid")}
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			r.cookie = c
		}
	}
	return r
}

// sessionKey returns the store key of the session a response named in
// its X-Sid header (set by the test handlers from Session.ID).
func sessionKey(t testing.TB, r reply, prefix string) string {
	t.Helper()
	id, err := kvstore.ParseSessionID(r.sid)
	if err != nil {
		t.Fatalf("response carries no session ID: %v", err)
	}
	return prefix + id.StoreKey()
}

func TestBackendOverWebdis(t *testing.T) {
	r, w := sharedWebdis(t)
	web := newWebdis(t, w, nil)
	store := &counting{Store: web}
	a := newApp(t, store, nil)

	// A change saves the record before the response starts; the cookie
	// carries only the sealed ID.
	res := a.do(t, "/set?u=ada", nil)
	if res.status != 200 || res.body != "saved ada" || res.cookie == nil {
		t.Fatalf("/set: %d %q cookie=%v", res.status, res.body, res.cookie)
	}
	if len(res.cookie.Value) > 200 {
		t.Fatalf("cookie is %d bytes: the data went into it", len(res.cookie.Value))
	}
	key := sessionKey(t, res, "crumb:s:")
	if v, _ := redisDo(t, r.Addr, "GET", key).(string); !strings.Contains(v, "ada") {
		t.Fatalf("Redis has no record under the hashed ID")
	}
	if ttl, _ := strconv.Atoi(redisDo(t, r.Addr, "TTL", key).(string)); ttl < 107990 || ttl > 108000 {
		// The idle timeout (24 h) plus the renewal interval (6 h).
		t.Fatalf("TTL %d, want the remaining lifetime, 108000", ttl)
	}
	cookie := res.cookie

	// Reading does not write.
	before := store.calls()
	res = a.do(t, "/get", cookie)
	if res.status != 200 || res.body != "ada" || res.cookie != nil {
		t.Fatalf("/get: %d %q cookie=%v", res.status, res.body, res.cookie)
	}
	if c := store.calls(); c[1] != before[1] || c[2] != before[2] {
		t.Fatalf("unchanged session written: calls %v -> %v", before, c)
	}

	// Idle renewal after RenewFraction (6 h of 24 h): EXPIRE, no rewrite.
	a.clk.Add(7 * time.Hour)
	before = store.calls()
	res = a.do(t, "/get", cookie)
	if res.status != 200 || res.body != "ada" || res.cookie == nil {
		t.Fatalf("/get after 7h: %d %q cookie=%v", res.status, res.body, res.cookie)
	}
	if c := store.calls(); c[1] != before[1] || c[2] != before[2]+1 {
		t.Fatalf("renewal: calls %v -> %v, want one Touch and no Set", before, c)
	}
	cookie = res.cookie
	// A second request right after does not refresh again.
	before = store.calls()
	if res = a.do(t, "/get", cookie); res.cookie != nil || store.calls()[2] != before[2] {
		t.Fatal("refreshed again within RenewFraction")
	}

	// Regenerate: new ID written, then the old one deleted.
	oldKey := key
	res = a.do(t, "/login", cookie)
	if res.status != 200 || res.cookie == nil {
		t.Fatalf("/login: %d cookie=%v", res.status, res.cookie)
	}
	newKey := sessionKey(t, res, "crumb:s:")
	if newKey == oldKey {
		t.Fatal("Regenerate kept the session ID")
	}
	if redisDo(t, r.Addr, "EXISTS", oldKey) != "0" || redisDo(t, r.Addr, "EXISTS", newKey) != "1" {
		t.Fatal("after Regenerate the old record must be gone and the new one present")
	}
	if res = a.do(t, "/get", cookie); res.body != "" {
		t.Fatalf("the pre-login cookie still opens a session: %q", res.body)
	}
	if !errors.Is(a.lastErr(), cookiestore.ErrMissing) || !errors.Is(a.lastErr(), kvstore.ErrNotFound) {
		t.Fatalf("error hook got %v, want ErrMissing", a.lastErr())
	}
	res = a.do(t, "/login", nil)
	cookie = res.cookie
	if res = a.do(t, "/get", cookie); res.body != "admin:" {
		t.Fatalf("new session: %q", res.body)
	}
	key = sessionKey(t, res, "crumb:s:")

	// Destroy: the record goes, the cookie is expired, the old cookie
	// no longer opens anything (a logout that revokes).
	res = a.do(t, "/logout", cookie)
	if res.status != 200 || res.cookie == nil || res.cookie.MaxAge >= 0 {
		t.Fatalf("/logout: %d cookie=%+v, want an expiring cookie", res.status, res.cookie)
	}
	if redisDo(t, r.Addr, "EXISTS", key) != "0" {
		t.Fatal("Destroy left the record in Redis")
	}
	if res = a.do(t, "/get", cookie); res.status != 200 || res.body != "" {
		t.Fatalf("replayed cookie after logout: %d %q", res.status, res.body)
	}
}

func TestBackendTTLIsRemainingLifetime(t *testing.T) {
	r, w := sharedWebdis(t)
	a := newApp(t, newWebdis(t, w, nil), func(o *cookiestore.Options[account]) {
		o.IdleTimeout, o.AbsoluteTimeout = 30*time.Minute, time.Hour
	})
	res := a.do(t, "/set?u=x", nil)
	key := sessionKey(t, res, "crumb:s:")
	// The idle timeout plus the renewal interval: 30 + 7.5 minutes.
	if ttl := redisDo(t, r.Addr, "TTL", key); ttl != "2250" && ttl != "2249" {
		t.Fatalf("TTL %v, want the idle lifetime, 2250", ttl)
	}
	// Active at 20 and 40 minutes: at 40 the absolute lifetime (20 min
	// left) ends before the idle one (37.5 min).
	for i, want := range []string{"2250", "1200"} {
		a.clk.Add(20 * time.Minute)
		if res = a.do(t, "/set?u=y"+strconv.Itoa(i), res.cookie); res.status != 200 || res.cookie == nil {
			t.Fatalf("/set: %d", res.status)
		}
		if sessionKey(t, res, "crumb:s:") != key {
			t.Fatal("session ID changed")
		}
		if ttl := redisDo(t, r.Addr, "TTL", key).(string); ttl != want && ttl != strconv.Itoa(mustAtoi(want)-1) {
			t.Fatalf("TTL %v, want the remaining lifetime, %s", ttl, want)
		}
	}
}

func mustAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

// TestBackendRedisKilled: a save that fails is never followed by a 2xx.
func TestBackendRedisKilled(t *testing.T) {
	redis := servicetest.StartRedis(t)
	w := servicetest.StartWebdis(t, redis.Addr, servicetest.WebdisConfig{})
	a := newApp(t, newWebdis(t, w, nil), nil)
	res := a.do(t, "/set?u=ada", nil)
	if res.status != 200 {
		t.Fatalf("/set: %d", res.status)
	}
	cookie := res.cookie

	redis.Kill()
	for _, c := range []struct {
		path   string
		cookie *http.Cookie
	}{
		{"/set?u=eve", cookie}, // load fails before the handler
		{"/set?u=new", nil},    // a new session's save fails
		{"/get", cookie},
		{"/logout", cookie},
	} {
		served := a.served.Load()
		res = a.do(t, c.path, c.cookie)
		if res.status != http.StatusServiceUnavailable {
			t.Fatalf("%s with Redis down: HTTP %d %q, want 503", c.path, res.status, res.body)
		}
		if strings.Contains(res.body, "saved") || strings.Contains(res.body, "bye") || res.cookie != nil {
			t.Fatalf("%s: the handler's response leaked through a failed save: %q", c.path, res.body)
		}
		err := a.lastErr()
		if !errors.Is(err, cookiestore.ErrBackend) || !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("%s: error hook got %v, want ErrBackend and ErrUnavailable", c.path, err)
		}
		if c.cookie != nil && a.served.Load() != served {
			t.Fatalf("%s: the handler ran on a session that could not be loaded", c.path)
		}
	}
	if err := redis.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res = a.do(t, "/set?u=back", nil)
		if res.status == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res.status != 200 {
		t.Fatalf("no recovery after Redis restarted: %d", res.status)
	}
}

func TestBackendSlowStore(t *testing.T) {
	redis := servicetest.StartRedis(t)
	w := servicetest.StartWebdis(t, redis.Addr, servicetest.WebdisConfig{})
	client := kvstore.NewClient()
	client.Timeout = 150 * time.Millisecond
	a := newApp(t, newWebdis(t, w, func(c *kvstore.WebdisConfig) { c.Client = client }), nil)
	redisDo(t, redis.Addr, "CLIENT", "PAUSE", "800", "WRITE")
	res := a.do(t, "/set?u=slow", nil)
	if res.status != http.StatusServiceUnavailable || !errors.Is(a.lastErr(), kvstore.ErrTimeout) {
		t.Fatalf("/set against a paused Redis: %d, hook %v; want 503 and ErrTimeout", res.status, a.lastErr())
	}
}

func TestBackendForgedCookie(t *testing.T) {
	mem := &counting{Store: kvstore.NewMemory(kvstore.MemoryConfig{})}
	a := newApp(t, mem, nil)
	res := a.do(t, "/set?u=ada", nil)
	good := res.cookie
	for _, v := range []string{
		good.Value[:len(good.Value)-2] + "AA",
		strings.Repeat("A", len(good.Value)),
		"garbage", "", strings.Repeat("x", 5000),
	} {
		before := mem.gets.Load()
		res := a.do(t, "/get", &http.Cookie{Name: "session", Value: v})
		if res.status != 200 || res.body != "" {
			t.Fatalf("forged cookie: %d %q, want a fresh session", res.status, res.body)
		}
		if mem.gets.Load() != before {
			t.Fatal("a forged cookie reached the store")
		}
	}
	// A reference that somehow opened (an unsigned sealer, say) but is
	// not a session ID never reaches the network either.
	web, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: "http://127.0.0.1:1", Client: failDoer{t}})
	b := kvstore.NewBackend(web, kvstore.BackendOptions{})
	for _, ref := range []string{"", "../../etc", strings.Repeat("A", 42) + "B", "a+b/c.json"} {
		_, err := b.Load(context.Background(), []byte(ref))
		if !errors.Is(err, cookiestore.ErrMissing) || !errors.Is(err, kvstore.ErrBadKey) {
			t.Fatalf("Load(%q): %v, want ErrMissing and ErrBadKey", ref, err)
		}
		if err := b.Delete(context.Background(), []byte(ref)); err != nil {
			t.Fatalf("Delete(%q): %v", ref, err)
		}
	}
}

// Cloudflare has no Touch: idle renewal re-puts the record.
func TestBackendCloudflareRenewal(t *testing.T) {
	f, srv := newFakeCloudflare(t)
	a := newApp(t, newCloudflare(t, f, srv, nil), nil)
	res := a.do(t, "/set?u=ada", nil)
	if res.status != 200 {
		t.Fatalf("/set: %d", res.status)
	}
	puts := f.count(http.MethodPut)
	a.clk.Add(7 * time.Hour)
	res = a.do(t, "/get", res.cookie)
	if res.status != 200 || res.body != "ada" || res.cookie == nil || f.count(http.MethodPut) != puts+1 {
		t.Fatalf("renewal: %d %q, %d PUTs, want one re-put", res.status, res.body, f.count(http.MethodPut)-puts)
	}
}
