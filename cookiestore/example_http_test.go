//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

func Example() {
	ring, _ := keys.GenerateRing(nil) // production: keys.ParseRing(os.Getenv("SESSION_KEYS"))
	store, err := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r.Context())
		s.Regenerate() // new session ID at login
		s.Data.UserID = "42"
		s.Flash("notice", "Logged in")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r.Context())
		fmt.Fprintf(w, "user %q, notices %q", s.Data.UserID, s.Flashes("notice"))
	})
	h := store.Middleware(mux)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/login", nil))
	cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]
	fmt.Println(rec.Code, strings.HasPrefix(cookie, "__Host-session="), rec.Header().Get("Vary"))

	for i := 0; i < 2; i++ {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", cookie)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if sc := rec.Header().Get("Set-Cookie"); sc != "" {
			cookie = strings.Split(sc, ";")[0] // the flash was dropped
		}
		fmt.Println(rec.Body.String())
	}
	// Output:
	// 303 true Cookie
	// user "42", notices ["Logged in"]
	// user "42", notices []
}
