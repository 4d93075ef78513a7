package gate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
)

func encryptedSealer(ring string) func(func() time.Time) crumb.Sealer {
	return func(now func() time.Time) crumb.Sealer {
		s, _ := wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring, crumb.WithClock(now))
		return s
	}
}

// TestGateIdentityRefused: an identity that would not reach the origin
// byte for byte (trimmed, split at a comma, re-encoded) is refused,
// and the request is anonymous; a plain one is forwarded as it is.
func TestGateIdentityRefused(t *testing.T) {
	ring := must(keys.GenerateRing(nil)).Export()
	g := newGate(t, "encrypted", ring)
	for _, tc := range []struct {
		ident string
		ok    bool
	}{
		{"alice@example.com", true},
		{"Alice Smith <alice@example.com>", true},
		{" admin@example.com ", false},
		{"admin@example.com ", false},
		{"\tadmin@example.com", false},
		{"admin@example.com, bob@example.com", false},
		{"bob,admin", false},
		{"caf\u00e9@example.com", false},
		{"a\x00b", false},
		{"a\nX-Crumb-User: admin", false},
	} {
		cookie := mint(t, encryptedSealer(ring), time.Now(), account{Email: tc.ident})
		resp := g.ServeEdge(request("/private/x", cookie))
		if !tc.ok {
			if resp.Status != 303 {
				t.Errorf("identity %q: %d, want a redirect to the login page", tc.ident, resp.Status)
			}
			if resp := g.ServeEdge(request("/public", cookie)); resp.Forward == nil || len(resp.Forward.Header.Values("x-crumb-user")) != 0 {
				t.Errorf("identity %q reached the origin", tc.ident)
			}
			continue
		}
		if resp.Forward == nil || resp.Forward.Header.Get("x-crumb-user") != tc.ident {
			t.Errorf("identity %q: not forwarded as it is: %+v", tc.ident, resp)
		}
		if gate.IdentitySafe(tc.ident) != tc.ok {
			t.Errorf("IdentitySafe(%q) = %v", tc.ident, !tc.ok)
		}
	}
}

// TestGateProxyHeaders: the client's forwarding and URL-rewrite headers
// never reach the origin; the gate sets X-Forwarded-Host and -Proto
// from the URL, and X-Forwarded-For only from a header it was told the
// platform sets.
func TestGateProxyHeaders(t *testing.T) {
	ring := must(keys.GenerateRing(nil)).Export()
	spoofed := []wasm.Field{
		{Name: "forwarded", Value: "for=1.2.3.4;host=evil.example;proto=http"},
		{Name: "x-forwarded-for", Value: "1.2.3.4"},
		{Name: "x-forwarded-host", Value: "evil.example"},
		{Name: "x-forwarded-proto", Value: "http"},
		{Name: "x-forwarded-prefix", Value: "/admin"},
		{Name: "X_Forwarded_Host", Value: "evil.example"},
		{Name: "x-original-url", Value: "/admin/secret"},
		{Name: "x-rewrite-url", Value: "/admin/secret"},
		{Name: "x-original-uri", Value: "/admin/secret"},
		{Name: "x-real-ip", Value: "1.2.3.4"},
		{Name: "x-http-method-override", Value: "DELETE"},
		{Name: "cf-connecting-ip", Value: "203.0.113.9"},
	}
	for _, tc := range []struct {
		name, clientIPHeader, wantFor string
	}{
		{"no client IP header trusted", "", ""},
		{"Cf-Connecting-Ip trusted", "Cf-Connecting-Ip", "203.0.113.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := gate.FromEnv(func(k string) string {
				return map[string]string{gate.EnvKeys: ring, gate.EnvOrigin: "https://origin.internal",
					gate.EnvProtected: "/private/", gate.EnvClientIP: tc.clientIPHeader}[k]
			}, gate.EnvOptions{})
			if err != nil {
				t.Fatal(err)
			}
			g := must(gate.New(cfg))
			resp := g.ServeEdge(request("/public/x", "", spoofed...))
			if resp.Forward == nil {
				t.Fatalf("not forwarded: %+v", resp)
			}
			h := resp.Forward.Header
			for _, f := range spoofed {
				n := strings.ToLower(f.Name)
				if n == "cf-connecting-ip" {
					continue // the platform's own; passed on
				}
				for _, v := range h.Values(f.Name) {
					if v == f.Value {
						t.Errorf("the client's %s: %s reached the origin", f.Name, v)
					}
				}
			}
			for _, f := range h {
				if strings.HasPrefix(f.Name, "X_") || strings.EqualFold(f.Name, "forwarded") || strings.Contains(strings.ToLower(f.Name), "original") ||
					strings.Contains(strings.ToLower(f.Name), "rewrite") || strings.EqualFold(f.Name, "x-real-ip") || strings.Contains(strings.ToLower(f.Name), "override") {
					t.Errorf("%s reached the origin", f.Name)
				}
			}
			if got := h.Values("x-forwarded-host"); len(got) != 1 || got[0] != "edge.example" {
				t.Errorf("X-Forwarded-Host %q, want the URL's host", got)
			}
			if got := h.Values("x-forwarded-proto"); len(got) != 1 || got[0] != "https" {
				t.Errorf("X-Forwarded-Proto %q, want https", got)
			}
			got := h.Values("x-forwarded-for")
			if tc.wantFor == "" && len(got) != 0 || tc.wantFor != "" && (len(got) != 1 || got[0] != tc.wantFor) {
				t.Errorf("X-Forwarded-For %q, want %q", got, tc.wantFor)
			}
		})
	}
}

// TestGateRepeatedCookieHeaders: workerd joins two Cookie headers into
// one with ", "; the session cookie is still found.
func TestGateRepeatedCookieHeaders(t *testing.T) {
	ring := must(keys.GenerateRing(nil)).Export()
	g := newGate(t, "encrypted", ring)
	v := mint(t, encryptedSealer(ring), time.Now(), account{Email: "alice@example.com"})
	for _, header := range []string{
		"theme=dark, session=" + v,
		"theme=dark; lang=en, session=" + v + "; x=1",
		"session=" + v + ", theme=dark",
	} {
		req := &wasm.Request{Method: "GET", URL: "https://edge.example/private/x", Header: wasm.Header{{Name: "cookie", Value: header}}}
		resp := g.ServeEdge(req)
		if resp.Forward == nil || resp.Forward.Header.Get("x-crumb-user") != "alice@example.com" {
			t.Errorf("Cookie %q: the session was not found: %+v", strings.ReplaceAll(header, v, "<session>"), resp)
		}
	}
}

// TestNewRefusesLoginPath: the login path is a path on this host, or
// the redirect to it is an open one.
func TestNewRefusesLoginPath(t *testing.T) {
	store := must(cookiestore.New(encryptedSealer(must(keys.GenerateRing(nil)).Export())(time.Now),
		cookiestore.Options[cookiestore.Raw]{Codec: gate.Codec{}}))
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"", true}, {"/", true}, {"/login", true}, {"/login?next=%2Faccount", true},
		{"//evil.example/", false}, {"https://evil.example/", false}, {"evil.example", false},
		{"/\\evil.example", false}, {"/login/../x", false}, {"/%2F%2Fevil.example", false},
		{"/login\r\nx: y", false}, {"/login?x=1#frag", false}, {"/login?a b", false},
	} {
		_, err := gate.New(gate.Config{Store: store, Origin: "https://origin.internal", LoginPath: tc.path})
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, gate.ErrPath) {
			t.Errorf("LoginPath %q: %v, want ok=%v", tc.path, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "evil") {
			t.Errorf("the error quotes the path: %v", err)
		}
	}
}
