//go:build js && wasm

// Command revgate is the edge gate for revocable cookie sessions: the
// session lives in the cookie, as with examples/edge-gate, and the gate
// also checks a revocation list (kvstore.Revocations) kept in Redis
// behind Webdis, which it reads through the runtime's fetch. A session
// the origin revoked (its logout, with cookiestore.Options.Revocation
// set, or "log out everywhere" for its user) no longer passes the gate,
// though its cookie still opens. It serves every SESSION_MODE,
// ed448-verify included. It needs kvstore's HTTP stores, so it is built
// without crumb_nohttp:
//
//	GOOS=js GOARCH=wasm go build -tags crumb_nojson -ldflags='-s -w' -o gate.wasm ./examples/edge-gate/revgate
//
// Besides gate.FromEnv's variables it reads REVOCATION_WEBDIS_URL
// (required), REVOCATION_WEBDIS_USER, REVOCATION_WEBDIS_PASSWORD (a
// secret), REVOCATION_PREFIX (the list's key prefix, "crumb:r:" when
// empty; the origin's must match) and REVOCATION_MAX_STALE (how long an
// answer from the list is reused, a Go duration, "5s" when empty, "0"
// for none). IDENTITY_FIELD must name the field the origin's
// cookiestore.Options.User reads ("email" by default). A list that
// cannot be read answers 503.
//
// The cookie-only gate (examples/edge-gate) stays without a list: it is
// built with crumb_nohttp, which leaves the HTTP stores out, and keeps
// its size.
package main

import (
	"errors"
	"os"

	"github.com/crumbkit/crumb/examples/edge-gate/internal/revenv"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/fetchdoer"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/pubsealer"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	var h wasm.Handler
	rev, err := revenv.Webdis(worker.Getenv, fetchdoer.Doer{})
	if err == nil && rev == nil {
		err = errors.New(revenv.EnvURL + " is not set: the Webdis that holds the origin's revocation list")
	}
	if err == nil {
		var cfg gate.Config
		cfg, err = gate.FromEnv(worker.Getenv, gate.EnvOptions{NewSealer: pubsealer.New, Revocation: rev})
		if err == nil {
			h, err = gate.New(cfg)
		}
	}
	if err != nil {
		// A bare 500 for every request, the reason once on the console.
		h = gate.Misconfigured(err, os.Stderr)
	}
	// Async: checking the list waits on a fetch to Webdis.
	worker.Serve(h, worker.Options{Async: true})
}
