package kvstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

type Account struct{ Email string }

// Cookie sessions that can be revoked: the whole session stays in an
// encrypted cookie, and a list of revoked sessions in a store (Memory
// here; Webdis, Upstash or Cloudflare KV when several servers share it)
// is checked on every load, through a local cache. Logout revokes the
// session's ID; "log out everywhere" revokes every session of the user
// created up to now, in every browser.
func ExampleRevocations() {
	revocations := kvstore.NewRevocations(kvstore.NewMemory(kvstore.MemoryConfig{}), kvstore.RevocationOptions{
		MaxStale: kvstore.DefaultMaxStale, // a revocation made on another server counts here within 5 s
	})
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{
		User:       func(a *Account) string { return a.Email }, // which field names the user
		Revocation: revocations,
		// Pages that only show something stay up while the list's store
		// is down; anything else gets 503.
		RevocationFailOpen: cookiestore.ReadOnlyRequest,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r.Context())
		s.Regenerate()
		s.Data.Email = r.FormValue("email")
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%q", store.Get(r.Context()).Data.Email)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r.Context()).Destroy() // revokes this session's ID
	})
	mux.HandleFunc("POST /logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r.Context())
		if err := revocations.RevokeUser(r.Context(), s.Data.Email, time.Time{}); err != nil {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		s.Destroy()
	})
	h := store.Middleware(mux)

	// do sends a request and returns the cookie a browser holds after
	// it, and the body.
	do := func(method, path, cookie string) (string, string) {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if c := rec.Header().Get("Set-Cookie"); c != "" {
			cookie = strings.Split(c, ";")[0]
		}
		return cookie, rec.Body.String()
	}
	laptop, _ := do("POST", "/login?email=ada@example.com", "")
	phone, _ := do("POST", "/login?email=ada@example.com", "")
	copied := laptop
	do("POST", "/logout", laptop)
	_, body := do("GET", "/", copied)
	fmt.Println("copy of a logged-out cookie:", body)
	_, body = do("GET", "/", phone)
	fmt.Println("phone:", body)
	tablet, _ := do("POST", "/login?email=ada@example.com", "")
	do("POST", "/logout-everywhere", tablet)
	_, body = do("GET", "/", phone)
	fmt.Println("phone after log out everywhere:", body)
	// Output:
	// copy of a logged-out cookie: ""
	// phone: "ada@example.com"
	// phone after log out everywhere: ""
}

// Server-side sessions listed by user: with IndexUsers, every save
// lists the session under Options.User, so a user's sessions can be
// shown ("your devices") and ended together.
func ExampleSessions_EndUserSessions() {
	ctx := context.Background()
	backend := kvstore.NewBackend(kvstore.NewMemory(kvstore.MemoryConfig{}), kvstore.BackendOptions{IndexUsers: true})
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(signed.New(ring), cookiestore.Options[Account]{
		Backend: backend,
		User:    func(a *Account) string { return a.Email },
	})
	for i := 0; i < 3; i++ { // three logins
		s, _ := store.LoadHeader(ctx, "")
		s.Data.Email = "ada@example.com"
		store.Commit(ctx, s)
	}
	sessions := backend.Sessions()
	handles, _ := sessions.UserSessions(ctx, "ada@example.com")
	fmt.Println(len(handles), "sessions; a handle is a hash, not a credential:", len(handles[0]))
	n, err := sessions.EndUserSessions(ctx, "ada@example.com")
	fmt.Println("ended", n, err)
	handles, _ = sessions.UserSessions(ctx, "ada@example.com")
	fmt.Println(len(handles), "left")
	// Output:
	// 3 sessions; a handle is a hash, not a credential: 64
	// ended 3 <nil>
	// 0 left
}
