//go:build !crumb_e2e

package main

import "net/http"

// withTestRoutes adds nothing to a normal build; see testroutes_e2e.go.
func withTestRoutes(h http.Handler) http.Handler { return h }
