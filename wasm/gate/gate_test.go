package gate_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

type account struct {
	Email  string `json:"email,omitempty"`
	Failed int    `json:"failed,omitempty"`
}

// mint returns a session cookie value as the origin would issue it,
// with the sealer and store clocks set to now.
func mint(t *testing.T, sealer func(now func() time.Time) crumb.Sealer, now time.Time, a account) string {
	t.Helper()
	clock := func() time.Time { return now }
	st, err := cookiestore.New(sealer(clock), cookiestore.Options[account]{InsecureHTTP: true, IdleTimeout: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := st.LoadHeader(context.Background(), "")
	s.Data = a
	s.Flash("message", "hello")
	lines, err := st.Commit(context.Background(), s)
	if err != nil || len(lines) != 1 {
		t.Fatalf("mint: %v %v", lines, err)
	}
	nv, _, _ := strings.Cut(lines[0], ";")
	return strings.TrimPrefix(nv, "session=")
}

func newGate(t *testing.T, mode, ring string) *gate.Gate {
	t.Helper()
	env := map[string]string{
		gate.EnvMode: mode, gate.EnvKeys: ring, gate.EnvInsecure: "1",
		gate.EnvOrigin: "http://origin.internal/", gate.EnvProtected: "/private/, /admin",
	}
	cfg, err := gate.FromEnv(func(k string) string { return env[k] }, gate.EnvOptions{NewSealer: pubsealer.New})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func request(path, cookie string, extra ...wasm.Field) *wasm.Request {
	h := wasm.Header{{Name: "host", Value: "edge.example"}}
	if cookie != "" {
		h.Add("cookie", "theme=dark; session="+cookie)
	}
	return &wasm.Request{Method: "GET", URL: "https://edge.example" + path, Header: append(h, extra...)}
}

func TestGate(t *testing.T) {
	ring := must(keys.GenerateRing(nil))
	priv := must(keys.NewPrivateRing(must(keys.GeneratePrivateKey(ed448.Scheme(), nil))))
	for _, mc := range []struct {
		name, mode, ring string
		sealer           func(now func() time.Time) crumb.Sealer
		renews           bool
	}{
		{"encrypted", "encrypted", ring.Export(), func(now func() time.Time) crumb.Sealer {
			s, _ := wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring.Export(), crumb.WithClock(now))
			return s
		}, true},
		{"ed448-verify", "ed448-verify", priv.Public().Export(), func(now func() time.Time) crumb.Sealer {
			return signed.NewPublic(priv, crumb.WithClock(now))
		}, false},
	} {
		t.Run(mc.name, func(t *testing.T) {
			g := newGate(t, mc.mode, mc.ring)
			now := time.Now()
			alice := mint(t, mc.sealer, now, account{Email: "alice@example.com"})
			stale := mint(t, mc.sealer, now.Add(-20*time.Minute), account{Email: "alice@example.com"})
			expired := mint(t, mc.sealer, now.Add(-2*time.Hour), account{Email: "alice@example.com"})
			anon := mint(t, mc.sealer, now, account{Failed: 2})
			forged := wasm.Field{Name: "X-CRUMB-USER", Value: "mallory"}
			underscore := wasm.Field{Name: "x_crumb_user", Value: "mallory"}
			renewCache := wasm.CachePrivate
			if mc.renews {
				renewCache = wasm.CacheNoStore
			}

			for _, tc := range []struct {
				name     string
				req      *wasm.Request
				redirect bool
				clears   bool
				user     string
				renewed  bool
				cache    wasm.Cache // what the shim must do to the origin's caching headers
			}{
				{"anonymous, protected", request("/private/x", "", forged), true, false, "", false, wasm.CacheAsIs},
				{"anonymous, prefix without slash", request("/admin", ""), true, false, "", false, wasm.CacheAsIs},
				{"anonymous, public", request("/?q=1", "", forged), false, false, "", false, wasm.CacheAsIs},
				{"anonymous, lookalike path", request("/administrator", ""), false, false, "", false, wasm.CacheAsIs},
				{"session without identity", request("/private/x", anon), true, false, "", false, wasm.CacheAsIs},
				{"authenticated", request("/private/x?y=1", alice, forged, underscore), false, false, "alice@example.com", false, wasm.CachePrivate},
				{"anonymous, underscore spelling", request("/public", "", underscore), false, false, "", false, wasm.CacheAsIs},
				{"authenticated, public", request("/", alice), false, false, "alice@example.com", false, wasm.CachePrivate},
				{"idle renewal due", request("/private/x", stale), false, false, "alice@example.com", mc.renews, renewCache},
				{"expired", request("/private/x", expired, forged), true, true, "", false, wasm.CacheAsIs},
				{"tampered", request("/private/x", flip(alice)), true, true, "", false, wasm.CacheAsIs},
				{"garbage", request("/private/x", "%%%"), true, true, "", false, wasm.CacheAsIs},
				{"refused cookie, public", request("/public", flip(alice)), false, false, "", false, wasm.CacheVaryCookie},
				{"session without identity, public", request("/", anon), false, false, "", false, wasm.CacheVaryCookie},
			} {
				t.Run(tc.name, func(t *testing.T) {
					resp := g.ServeEdge(tc.req)
					if tc.redirect {
						if resp.Forward != nil || resp.Status != 303 || resp.Header.Get("location") != "/" {
							t.Fatalf("want a redirect to /, got %+v", resp)
						}
						// A valid session would have been forwarded.
						if resp.Header.Get("vary") != "Cookie" {
							t.Errorf("redirect without Vary: Cookie: %v", resp.Header)
						}
						cleared := len(resp.Header.Values("set-cookie")) == 1 && strings.Contains(resp.Header.Get("set-cookie"), "Max-Age=0")
						if cleared != tc.clears {
							t.Fatalf("Set-Cookie %q, want cleared=%v", resp.Header.Values("set-cookie"), tc.clears)
						}
						return
					}
					f := resp.Forward
					if f == nil {
						t.Fatalf("not forwarded: %+v", resp)
					}
					if f.Cache != tc.cache {
						t.Errorf("Forward.Cache %d, want %d", f.Cache, tc.cache)
					}
					// The shim merges Vary and Cache-Control into the
					// origin's; appended lines would duplicate them.
					if resp.Header.Get("vary") != "" || resp.Header.Get("cache-control") != "" {
						t.Errorf("caching headers appended instead of Forward.Cache: %v", resp.Header)
					}
					path := strings.TrimPrefix(tc.req.URL, "https://edge.example")
					if f.URL != "http://origin.internal"+path || f.Method != "GET" {
						t.Fatalf("forwarded to %s %s", f.Method, f.URL)
					}
					if f.Header.Get("host") != "" {
						t.Error("the client's Host went to the origin")
					}
					users := f.Header.Values("x-crumb-user")
					if len(f.Header.Values("x_crumb_user")) != 0 {
						t.Fatal("the underscore spelling of the identity header reached the origin")
					}
					if tc.user == "" && len(users) != 0 || tc.user != "" && (len(users) != 1 || users[0] != tc.user) {
						t.Fatalf("identity headers %q, want %q", users, tc.user)
					}
					sc := resp.Header.Values("set-cookie")
					if tc.renewed != (len(sc) == 1) {
						t.Fatalf("Set-Cookie %q, want renewed=%v", sc, tc.renewed)
					}
					if tc.renewed {
						nv, _, _ := strings.Cut(sc[0], ";")
						if !strings.Contains(f.Header.Get("cookie"), nv) || !strings.Contains(f.Header.Get("cookie"), "theme=dark") {
							t.Errorf("the origin did not get the renewed cookie: %q", f.Header.Get("cookie"))
						}
						// The renewed cookie still carries the origin's
						// data and flash: it opens in the origin's store.
						st, _ := cookiestore.New(mc.sealer(time.Now), cookiestore.Options[account]{InsecureHTTP: true, IdleTimeout: time.Hour})
						s, err := st.LoadHeader(context.Background(), nv)
						if err != nil || s.Data.Email != "alice@example.com" || len(s.Flashes("message")) != 1 {
							t.Errorf("renewed cookie at the origin: %v %+v flashes %v", err, s.Data, s.Flashes("message"))
						}
					} else if f.Header.Get("cookie") != strings.Join(tc.req.Header.Values("cookie"), "; ") {
						t.Errorf("cookie header changed without renewal")
					}
				})
			}
		})
	}
}

func TestFromEnvErrors(t *testing.T) {
	ring := must(keys.GenerateRing(nil)).Export()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad mode", map[string]string{gate.EnvMode: "rot13", gate.EnvKeys: ring}, gate.EnvMode},
		{"no keys", map[string]string{}, gate.EnvKeys},
		{"secret ring for verify", map[string]string{gate.EnvMode: "ed448-verify", gate.EnvKeys: ring}, gate.EnvKeys},
	} {
		_, err := gate.FromEnv(func(k string) string { return tc.env[k] }, gate.EnvOptions{NewSealer: pubsealer.New})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), ring) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	cfg, err := gate.FromEnv(func(k string) string { return map[string]string{gate.EnvKeys: ring, gate.EnvInsecure: "1"}[k] }, gate.EnvOptions{NewSealer: pubsealer.New})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gate.New(cfg); err == nil {
		t.Error("New without an origin URL")
	}
}

func TestStringField(t *testing.T) {
	for _, tc := range []struct {
		data, want string
		ok         bool
	}{
		{`{"email":"a@b"}`, "a@b", true},
		{` { "x" : [1, {"email": "no"}, "s\"]"], "n": -1.5e3, "t": true, "email" : "a\u003cb\u003e" } `, "a<b>", true},
		{`{"email":"\ud83d\ude00 \\ \/"}`, "😀 \\ /", true},
		{`{"email":"first","email":"last"}`, "last", true},
		{`{"email":1}`, "", false},
		{`{"other":"x"}`, "", false},
		{`{}`, "", false},
		{`["email","x"]`, "", false},
		{`{"email":"x"`, "", false},
		{`{"email":"x"} trailing`, "", false},
		{`{"email":"\ud83d"}`, "", false},
		{`{"email":"a` + "\n" + `"}`, "", false},
		{`{"email":"\x"}`, "", false},
		{``, "", false},
		{strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100), "", false},
	} {
		got, ok := gate.StringField([]byte(tc.data), "email")
		if got != tc.want || ok != tc.ok {
			t.Errorf("StringField(%s) = %q %v, want %q %v", tc.data, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzStringField checks the hand-written reader against encoding/json:
// whatever it accepts, json reads the same way.
func FuzzStringField(f *testing.F) {
	f.Add([]byte(`{"email":"a@b","failed":2}`))
	f.Add([]byte(`{"x":{"y":[1,2,"\u0041"]},"email":"\ud83d\ude00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := gate.StringField(data, "email")
		if !ok {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("accepted %q that encoding/json refuses: %v", data, err)
		}
		var want string
		if err := json.Unmarshal(m["email"], &want); err != nil || want != got {
			t.Fatalf("%q: got %q, encoding/json %q (%v)", data, got, want, err)
		}
	})
}

func flip(v string) string {
	b := []byte(v)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// downBackend fails every call, as a session store that cannot be
// reached.
type downBackend struct{}

func (downBackend) Load(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("store down")
}
func (downBackend) Save(context.Context, cookiestore.Record) ([]byte, error) {
	return nil, errors.New("store down")
}
func (downBackend) Delete(context.Context, []byte) error { return errors.New("store down") }

// TestGateBackendDown: a session the store cannot confirm is a 503, not
// a logout, and says it depended on the cookie.
func TestGateBackendDown(t *testing.T) {
	ring := must(keys.GenerateRing(nil))
	env := map[string]string{
		gate.EnvKeys: ring.Export(), gate.EnvInsecure: "1",
		gate.EnvOrigin: "http://origin.internal", gate.EnvProtected: "/private/",
	}
	cfg := must(gate.FromEnv(func(k string) string { return env[k] }, gate.EnvOptions{Backend: downBackend{}}))
	g := must(gate.New(cfg))
	sealer := func(now func() time.Time) crumb.Sealer {
		s, _ := wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring.Export(), crumb.WithClock(now))
		return s
	}
	resp := g.ServeEdge(request("/public", mint(t, sealer, time.Now(), account{Email: "alice@example.com"})))
	if resp.Forward != nil || resp.Status != 503 || resp.Header.Get("vary") != "Cookie" || resp.Header.Get("cache-control") != "no-store" {
		t.Fatalf("store down: %+v", resp)
	}
}
