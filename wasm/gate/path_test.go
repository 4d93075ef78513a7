package gate_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm/gate"
)

// protectedOrigin is a Go ServeMux like the one the bypass was shown
// against: it decodes escapes, and redirects dot segments and "//" to
// the cleaned path.
func protectedOrigin() *http.ServeMux {
	mux := http.NewServeMux()
	for _, p := range []string{"/admin", "/admin/", "/private/"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "PROTECTED") })
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "public") })
	return mux
}

// reachesProtected reports whether the origin serves (or redirects to,
// one hop) a protected page for the request target.
func reachesProtected(mux *http.ServeMux, target string) bool {
	for hop := 0; hop < 2; hop++ {
		req := httptest.NewRequest("GET", "http://origin.internal"+target, nil)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code/100 == 3 && rec.Header().Get("Location") != "" {
			target = rec.Header().Get("Location")
			continue
		}
		return rec.Code == 200 && rec.Body.String() == "PROTECTED"
	}
	return false
}

// TestGatePathBypass sends anonymous requests whose paths spell a
// protected prefix some other way. Each must be refused (400) or
// redirected to the login page (303); one the gate forwards must not
// reach a protected page on a ServeMux origin.
func TestGatePathBypass(t *testing.T) {
	g := newGate(t, "encrypted", must(keys.GenerateRing(nil)).Export()) // protects /private/ and /admin
	mux := protectedOrigin()
	const (
		refused  = 400
		redirect = 303
		forward  = 0
	)
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		// The reviewer's case: %61 is 'a'.
		{"escaped letter", "/%61dmin/secret", refused},
		{"escaped letter, upper-case hex", "/adm%69n", refused},
		{"escaped tilde", "/%7Eadmin", refused},
		{"escaped dots", "/x/%2e%2e/admin/secret", refused},
		{"escaped dots, upper-case", "/x/%2E%2E/admin", refused},
		{"escaped dot", "/%2e/admin", refused},
		{"dot segment", "/./admin/secret", refused},
		{"dot-dot segment", "/x/../admin/secret", refused},
		{"trailing dot-dot", "/admin/secret/..", refused},
		{"trailing dot", "/admin/.", refused},
		{"double slash", "//admin/secret", refused},
		{"double slash inside", "/private//x", refused},
		{"escaped slash", "/admin%2Fsecret", refused},
		{"escaped slash, lower-case", "/admin%2fsecret", refused},
		{"escaped percent (decoded twice)", "/%2561dmin", refused},
		{"backslash", "/admin\\secret", refused},
		{"escaped backslash", "/admin%5Csecret", refused},
		{"path parameter", "/admin;x=1/secret", refused},
		{"path parameter, bare", "/admin;", refused},
		{"escaped semicolon", "/admin%3Bx/secret", refused},
		{"escaped NUL", "/admin%00", refused},
		{"escaped newline", "/admin%0a", refused},
		{"overlong slash", "/x%C0%AFadmin", refused},
		{"lone continuation byte", "/%80admin", refused},
		{"percent without hex", "/admin%zz", refused},
		{"truncated escape", "/admin%6", refused},
		{"percent at the end", "/admin%", refused},
		{"raw space", "/admin secret", refused},
		{"raw non-ASCII", "/admin/\xc3\xa9", refused},
		{"raw tab", "/admin\t", refused},
		// Windows and IIS drop a segment's trailing dots and spaces.
		{"segment ending in a dot", "/admin./secret", refused},
		{"segment ending in dots", "/admin../secret", refused},
		{"segment ending in an escaped space", "/admin%20/secret", refused},
		{"last segment ending in a dot", "/public/file.", refused},
		// Case: matched case-insensitively, so an origin that folds
		// case gets no bypass; a case-sensitive one just sees the login
		// redirect for an anonymous user.
		{"upper case", "/ADMIN/secret", redirect},
		{"mixed case", "/Admin", redirect},
		{"upper case, other prefix", "/PRIVATE/x", redirect},
		{"canonical protected", "/admin/secret", redirect},
		{"prefix without slash", "/private", redirect},
		{"protected with query", "/admin?x=1", redirect},
		// Canonical public paths still go through.
		{"lookalike", "/adminx", forward},
		{"escaped reserved character", "/public/a%3Fb", forward},
		{"escaped space", "/public/a%20b", forward},
		{"escaped UTF-8", "/caf%C3%A9/admin", forward},
		{"trailing slash", "/public/", forward},
		{"root", "/", forward},
		{"protected path in the query", "/?next=/admin/../admin", forward},
		{"dots inside a segment", "/public/a..b/.c", forward},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := g.ServeEdge(request(tc.path, ""))
			got := resp.Status
			if resp.Forward != nil {
				got = forward
			}
			if got != tc.want {
				t.Fatalf("%q: status %d (0 = forwarded), want %d", tc.path, got, tc.want)
			}
			if resp.Forward == nil {
				return
			}
			target := strings.TrimPrefix(resp.Forward.URL, "http://origin.internal")
			if target != tc.path {
				t.Errorf("forwarded %q, want the path byte for byte %q", target, tc.path)
			}
			if reachesProtected(mux, target) {
				t.Errorf("forwarded %q reaches a protected page on the origin", target)
			}
		})
	}

	// Authenticated or not, a non-canonical path is refused: the rule
	// does not depend on the cookie.
	if resp := g.ServeEdge(request("/%61dmin/secret", "not-even-read")); resp.Status != 400 || len(resp.Header.Values("set-cookie")) != 0 {
		t.Errorf("with a cookie: %+v", resp)
	}
}

// TestBypassesReachTheOrigin keeps TestGatePathBypass honest: without
// the gate's rule, these spellings do reach the protected page of a
// ServeMux origin.
func TestBypassesReachTheOrigin(t *testing.T) {
	mux := protectedOrigin()
	for _, p := range []string{"/%61dmin/secret", "/x/../admin/secret", "//admin/secret", "/./admin"} {
		if !reachesProtected(mux, p) {
			t.Errorf("%q does not reach the protected page of a ServeMux", p)
		}
	}
}

func TestNewRefusesNonCanonicalPrefix(t *testing.T) {
	ring := must(keys.GenerateRing(nil)).Export()
	for _, p := range []string{"/%61dmin/", "admin/", "/a//b", "/a/../b", "/a;b"} {
		cfg, err := gate.FromEnv(func(k string) string {
			return map[string]string{gate.EnvKeys: ring, gate.EnvOrigin: "https://o.internal", gate.EnvProtected: "/ok/," + p}[k]
		}, gate.EnvOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = gate.New(cfg)
		if !errors.Is(err, gate.ErrPath) || strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "Protected[1]") {
			t.Errorf("prefix %q: %v", p, err)
		}
	}
}

// FuzzCanonical checks the canonical form against net/url and path:
// a path Canonical accepts decodes the way net/url decodes it, and
// cleaning it (as a ServeMux does) changes nothing.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"/", "/admin/", "/%61dmin", "/a/../b", "//a", "/caf%C3%A9", "/a%2Fb", "/a%20b/", "/x%C0%AF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !gate.Canonical(p) {
			return
		}
		u, err := url.ParseRequestURI(p)
		if err != nil {
			t.Fatalf("Canonical(%q) but net/url refuses it: %v", p, err)
		}
		want := path.Clean(u.Path)
		if strings.HasSuffix(u.Path, "/") && want != "/" {
			want += "/"
		}
		if u.Path != want {
			t.Fatalf("Canonical(%q): decoded %q cleans to %q", p, u.Path, want)
		}
		if strings.ContainsAny(u.Path, "\\;") || strings.Contains(u.Path, "//") {
			t.Fatalf("Canonical(%q): decoded %q", p, u.Path)
		}
	})
}
