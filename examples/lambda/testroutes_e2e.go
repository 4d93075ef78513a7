//go:build crumb_e2e

package main

import (
	"net/http"
	"strings"
)

// withTestRoutes adds two routes that only the end-to-end test's build
// (-tags lambda.norpc,crumb_e2e) contains: one that panics and one that
// ignores its context until the invocation deadline has passed. A normal
// build has neither.
func withTestRoutes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/__e2e/panic"):
			panic("e2e: deliberate panic")
		case strings.HasSuffix(r.URL.Path, "/__e2e/hang"):
			select {} // ignores r.Context() on purpose
		}
		h.ServeHTTP(w, r)
	})
}
