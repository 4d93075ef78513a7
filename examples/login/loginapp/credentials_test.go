package loginapp_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/keys"
)

// TestPageShowsItsCredentials: the login page says how to log in, and
// the password it shows is the one that works.
func TestPageShowsItsCredentials(t *testing.T) {
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
	c := srv.Client()
	c.Jar, _ = cookiejar.New(nil)
	resp, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`Demo: any email, password <code>([^<]+)</code>`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatal("the login page does not show the demo credentials")
	}
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"email": {"a@example.com"}, "password": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Login successful") {
		t.Fatalf("logging in with the shown password %q failed: status %d", m[1], resp.StatusCode)
	}
}
