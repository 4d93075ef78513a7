//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// CSRF protection in two layers: Go's http.CrossOriginProtection
// refuses cross-origin form posts from browsers (Sec-Fetch-Site,
// Origin), and a token bound to the session covers what it cannot see
// (old browsers, same-site subdomains). The token is an HMAC of the
// session ID, not the ID itself, which is a credential and must not
// appear in a page. Reading ID on the login page persists the new
// session, so the token still matches on submit.
func Example_csrf() {
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{})
	csrfKey := make([]byte, 32) // production: a secret of its own, like the session keys
	rand.Read(csrfKey)
	token := func(s *cookiestore.Session[Account]) string {
		m := hmac.New(sha256.New, csrfKey)
		m.Write([]byte(s.ID())) // ID persists a new session with this ID
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	form := template.Must(template.New("").Parse(`<form method="post"><input type="hidden" name="csrf" value="{{.}}"></form>`))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		form.Execute(w, token(store.Get(r.Context())))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r.Context())
		if !hmac.Equal([]byte(token(s)), []byte(r.PostFormValue("csrf"))) {
			http.Error(w, "bad CSRF token", http.StatusForbidden)
			return
		}
		s.Regenerate() // the token of the old ID dies with it
		s.Data.UserID = "42"
		fmt.Fprint(w, "logged in")
	})
	h := http.NewCrossOriginProtection().Handler(store.Middleware(mux))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com/login", nil))
	cookie := cookieOf(rec.Header().Get("Set-Cookie"))
	tok := regexp.MustCompile(`value="([^"]+)"`).FindStringSubmatch(rec.Body.String())[1]

	post := func(tok, site string) int {
		req := httptest.NewRequest("POST", "https://example.com/login", strings.NewReader(url.Values{"csrf": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Sec-Fetch-Site", site)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	fmt.Println(post("forged", "same-origin"), post(tok, "cross-site"), post(tok, "same-origin"))
	// Output: 403 403 200
}

// Session events go to log/slog as they are: they never hold an ID,
// data or key material.
func ExampleOptions_onEvent() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // for a stable output
			}
			return a
		},
	}))
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{
		OnEvent: func(ctx context.Context, e cookiestore.Event) {
			logger.InfoContext(ctx, "session", "event", e)
		},
	})
	ctx := context.Background()
	s, _ := store.LoadHeader(ctx, "")
	s.Data.UserID = "42"
	store.Commit(ctx, s)
	store.LoadHeader(ctx, "__Host-session=forged")
	// Output:
	// level=INFO msg=session event.kind=created event.idle=24h0m0s event.absolute=168h0m0s event.browser_session=false
	// level=INFO msg=session event.kind=refused event.reason="cookiestore: load: invalid session cookie: crumb: malformed value: value too short"
}
