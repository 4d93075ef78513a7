//go:build js && wasm

// Command webdisgate is the edge gate with server-side sessions: the cookie
// carries only a sealed session ID, and the gate loads the record from
// Webdis (Redis over HTTP) through the runtime's fetch. It needs stock
// Go (kvstore speaks net/http types), and kvstore without the crumb_nohttp tag:
//
//	GOOS=js GOARCH=wasm go build -o gate.wasm ./examples/edge-gate/webdisgate
//
// Besides gate.FromEnv's variables it reads WEBDIS_URL, WEBDIS_USER,
// WEBDIS_PASSWORD (a secret) and SESSION_PREFIX (kvstore's key prefix,
// which must match the origin's). With REVOCATION_WEBDIS_URL set (and
// revgate's other REVOCATION_ variables; the URL may be WEBDIS_URL's)
// it also checks the origin's revocation list, so that the origin's
// "log out everywhere" reaches the edge as soon as the list says so.
package main

import (
	"os"

	"github.com/crumbkit/crumb/examples/edge-gate/internal/revenv"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/fetchdoer"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	var h wasm.Handler
	store, err := kvstore.NewWebdis(kvstore.WebdisConfig{
		URL:      worker.Getenv("WEBDIS_URL"),
		Username: worker.Getenv("WEBDIS_USER"),
		Password: worker.Getenv("WEBDIS_PASSWORD"),
		Client:   fetchdoer.Doer{},
	})
	var rev *kvstore.Revocations
	if err == nil {
		rev, err = revenv.Webdis(worker.Getenv, fetchdoer.Doer{})
	}
	if err == nil {
		o := gate.EnvOptions{
			Backend: kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: worker.Getenv("SESSION_PREFIX")}),
		}
		if rev != nil {
			o.Revocation = rev
		}
		var cfg gate.Config
		cfg, err = gate.FromEnv(worker.Getenv, o)
		if err == nil {
			h, err = gate.New(cfg)
		}
	}
	if err != nil {
		// Answer every request with a bare 500 rather than exit: an
		// exiting module would be re-instantiated on every request.
		// The detail (it names a variable, never a key) goes to the
		// console once, not to clients.
		h = gate.Misconfigured(err, os.Stderr)
	}
	// Async: loading a session waits on a fetch to Webdis.
	worker.Serve(h, worker.Options{Async: true})
}
