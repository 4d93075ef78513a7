//go:build crumb_e2e

package main

import (
	"net/http"
	"strings"
)

// withTestRoutes adds routes that only the end-to-end test's build
// (-tags lambda.norpc,crumb_e2e) contains: one that panics, one that
// ignores its context past the invocation deadline, and one that sets
// two cookies. A normal build has none of them.
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
		}
		h.ServeHTTP(w, r)
	})
}
