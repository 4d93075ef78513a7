//go:build crumb_e2e

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/examples/login/loginapp"
)

// withTestRoutes adds routes that only the end-to-end test's build
// (-tags lambda.norpc,crumb_e2e) contains: one that panics, one that
// ignores its context past the invocation deadline, one that sets two
// cookies, and /private/whoami, the page an edge gate protects in the
// browser test, which shows the identity headers and the session
// cookie that reached the function. A normal build has none of them.
func withTestRoutes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/__e2e/panic"):
			panic("e2e: deliberate panic")
		case strings.HasSuffix(r.URL.Path, "/__e2e/hang"):
			select {} // ignores r.Context() on purpose
		case strings.HasSuffix(r.URL.Path, "/__e2e/two-cookies"):
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/", Secure: true})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Path: "/", Secure: true})
			return
		case r.URL.Path == "/private/whoami":
			seen := struct {
				Users  []string `json:"users"`
				Cookie string   `json:"cookie"`
			}{Users: r.Header.Values("X-Crumb-User")}
			if c, err := r.Cookie("__Host-session"); err == nil {
				seen.Cookie = c.Value
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(seen)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// testConfig reads the test build's session settings:
//
//   - CRUMB_E2E_CLOCK_BEHIND (a duration under the sealers' 30-second
//     skew) runs the function's clock that far behind the real one, so
//     every session it issues is already that old for an edge gate on
//     the real clock;
//   - CRUMB_E2E_IDLE and CRUMB_E2E_RENEW_FRACTION set the idle timeout
//     and the renewal fraction sealed into new sessions.
//
// With a renewal interval shorter than the lag, the gate finds every
// session the function issued due for renewal, while the function
// itself never does: the renewal a test sees came from the edge, with
// no waiting.
func testConfig(getenv func(string) string, cfg *loginapp.Config) error {
	if v := getenv("CRUMB_E2E_CLOCK_BEHIND"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("CRUMB_E2E_CLOCK_BEHIND: %w", err)
		}
		cfg.Now = func() time.Time { return time.Now().Add(-d) }
	}
	opts := &cookiestore.Options[loginapp.Account]{}
	if v := getenv("CRUMB_E2E_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("CRUMB_E2E_IDLE: %w", err)
		}
		opts.IdleTimeout = d
	}
	if v := getenv("CRUMB_E2E_RENEW_FRACTION"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("CRUMB_E2E_RENEW_FRACTION: %w", err)
		}
		opts.RenewFraction = f
	}
	cfg.Options = opts
	return nil
}
