//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
)

// TestSaveTwiceOneLinePerCookie: two Saves in one response leave one
// Set-Cookie line per cookie, the last save's, and keep the handler's
// other cookies.
func TestSaveTwiceOneLinePerCookie(t *testing.T) {
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{MaxChunks: 3})
	w := httptest.NewRecorder()
	w.Header().Add("Set-Cookie", "theme=dark; Path=/")
	s, _ := st.Load(httptest.NewRequest("GET", "/", nil))
	ctx := context.Background()
	s.Data.Email = "first"
	s.Data.Blob = strings.Repeat("x", 5000) // two chunks
	if err := st.Save(ctx, w, s); err != nil {
		t.Fatal(err)
	}
	s.Data.Email = "second"
	s.Data.Blob = ""
	if err := st.Save(ctx, w, s); err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, l := range w.Header().Values("Set-Cookie") {
		name, _, _ := strings.Cut(l, "=")
		names[name]++
	}
	if names["theme"] != 1 || names["__Host-session"] != 1 || names["__Host-session.1"] != 1 || len(names) != 3 {
		t.Fatalf("Set-Cookie lines by name: %v", names)
	}
	// The last save wins: the response's cookie opens to "second", and
	// its stale chunk is expired.
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge >= 0 && c.Name != "theme" {
			req.AddCookie(c)
		}
	}
	got, err := st.Load(req)
	if err != nil || got.Data.Email != "second" {
		t.Fatalf("after two saves: %v %+v", err, got.Data)
	}
}
