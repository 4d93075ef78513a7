//go:build !crumb_e2e

package main

import (
	"net/http"

	"github.com/crumbkit/crumb/examples/login/loginapp"
)

// withTestRoutes adds nothing to a normal build; see testroutes_e2e.go.
func withTestRoutes(h http.Handler) http.Handler { return h }

// testConfig changes nothing in a normal build; see testroutes_e2e.go.
func testConfig(func(string) string, *loginapp.Config) error { return nil }
