package loginapp_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/keys"
)

// TestFlow runs the demo behind a real TLS server with the production
// cookie settings (__Host-session, Secure) and a cookiejar client.
func TestFlow(t *testing.T) {
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := loginapp.New(loginapp.Config{Keys: ring})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	u, _ := url.Parse(srv.URL)

	get := func(step string) string {
		t.Helper()
		resp, err := c.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", step, resp.StatusCode)
		}
		return string(b)
	}
	post := func(path string, form url.Values) {
		t.Helper()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		defer func() { c.CheckRedirect = nil }()
		resp, err := c.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("POST %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp.Header.Get("Set-Cookie") != "" && (resp.Header.Get("Vary") != "Cookie" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store")) {
			t.Fatalf("POST %s: Set-Cookie without Vary/Cache-Control", path)
		}
	}
	has := func(step, page string, wants []string, unwanted []string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page lacks %q", step, w)
			}
		}
		for _, w := range unwanted {
			if strings.Contains(page, w) {
				t.Errorf("%s: page shows %q", step, w)
			}
		}
	}

	has("first", get("first"), []string{`<form id="login"`, `id="email"`, `id="password"`}, []string{"Failed login attempts"})
	if len(jar.Cookies(u)) != 0 {
		t.Fatal("a first visit set a cookie")
	}
	post("/login", url.Values{"email": {"ada@example.com"}, "password": {"nope"}})
	post("/login", url.Values{"email": {"ada@example.com"}, "password": {"nope"}})
	has("failed", get("failed"), []string{"Incorrect username or password", "Failed login attempts: 2"}, nil)
	has("failed reload", get("failed reload"), []string{"Failed login attempts: 2"}, []string{"Incorrect username or password"})

	post("/login", url.Values{"email": {`<script>x</script>@example.com`}, "password": {"correct"}})
	cookies := jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != "__Host-session" {
		t.Fatalf("cookies after login: %v", cookies)
	}
	page := get("logged in")
	has("logged in", page, []string{"Login successful", `<form id="logout"`, "Log out &lt;script&gt;x&lt;/script&gt;@example.com"},
		[]string{"Failed login attempts", "<script>x"})
	has("reload", get("reload"), []string{"Log out "}, []string{"Login successful"})

	post("/logout", nil)
	if n := len(jar.Cookies(u)); n != 0 {
		t.Fatalf("%d cookies left after logout", n)
	}
	has("logged out", get("logged out"), []string{`<form id="login"`}, []string{"Log out"})
}

func TestConfigNeedsKeys(t *testing.T) {
	if _, err := loginapp.New(loginapp.Config{}); err == nil {
		t.Fatal("New without keys succeeded")
	}
}

// TestRememberMe: the login form's "remember me" box decides between a
// browser-session cookie and one that lasts 30 days of idleness.
func TestRememberMe(t *testing.T) {
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := loginapp.New(loginapp.Config{Keys: ring})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		maxAge int // 0: a browser-session cookie
	}{
		{"unchecked", url.Values{"email": {"a@example.com"}, "password": {"correct"}}, 0},
		{"checked", url.Values{"email": {"a@example.com"}, "password": {"correct"}, "remember": {"on"}}, 30 * 86400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "https://example.com/login", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			cookies := rec.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies: %v", rec.Header().Values("Set-Cookie"))
			}
			c := cookies[0]
			switch {
			case tc.maxAge == 0 && (c.MaxAge != 0 || !c.Expires.IsZero()):
				t.Fatalf("unchecked: a persistent cookie: %v", rec.Header().Get("Set-Cookie"))
			case tc.maxAge > 0 && c.MaxAge < tc.maxAge:
				t.Fatalf("checked: Max-Age %d, want at least %d", c.MaxAge, tc.maxAge)
			}
		})
	}
}
