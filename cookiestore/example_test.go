package cookiestore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

type Account struct {
	UserID string `json:"uid,omitempty"`
}

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

// The engine takes Cookie header text and returns Set-Cookie lines, for
// code without net/http (edge workers built with TinyGo).
func ExampleStore_LoadHeader() {
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{Name: "sid", InsecureHTTP: true})
	ctx := context.Background()

	s, err := store.LoadHeader(ctx, "theme=dark")
	fmt.Println(s.IsNew(), err)
	s.Data.UserID = "7"
	lines, _ := store.Commit(ctx, s)
	fmt.Println(len(lines), strings.Contains(lines[0], "; HttpOnly; SameSite=Lax"), cookiestore.CacheControl(""))

	s, err = store.LoadHeader(ctx, "theme=dark; "+strings.Split(lines[0], ";")[0])
	fmt.Println(s.IsNew(), err, s.Data.UserID, len(s.ID()))
	lines, _ = store.Commit(ctx, s)
	fmt.Println(len(lines)) // unchanged: nothing to send
	// Output:
	// true cookiestore: no session cookie
	// 1 true private, no-store
	// false <nil> 7 43
	// 0
}

func ExampleFlashValues() {
	type Notice struct {
		Level, Text string
	}
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{Name: "sid", InsecureHTTP: true})
	ctx := context.Background()
	s, _ := store.LoadHeader(ctx, "")
	s.Flash("notice", Notice{"warn", "Disk almost full"})
	lines, _ := store.Commit(ctx, s)

	s, _ = store.LoadHeader(ctx, strings.Split(lines[0], ";")[0])
	notices, err := cookiestore.FlashValues[Notice](s, "notice")
	fmt.Println(notices, err)
	// Output: [{warn Disk almost full}] <nil>
}
