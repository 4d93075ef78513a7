//go:build js && wasm

// Command edge-gate is a Workers (workerd) module that checks crumb
// sessions at the edge before requests reach the origin; package
// wasm/gate holds the logic and docs/edge.md the deployment. It serves
// symmetric sessions (SESSION_MODE encrypted or hmac); ed448gate is the
// same main for Ed448, kvgate for sessions kept in Workers KV, revgate
// for cookie sessions checked against the origin's revocation list (a
// logout there then ends the session here too; revgate links kvstore's
// HTTP stores, which this gate leaves out to stay small). Build it
// with
//
//	GOOS=js GOARCH=wasm go build -tags crumb_nohttp,crumb_nojson -ldflags='-s -w' -o gate.wasm ./examples/edge-gate
//
// (crumb_nohttp leaves cookiestore's net/http adapter out, crumb_nojson
// its default JSON codec, which gate.Codec replaces; -s -w drops symbols
// and DWARF that a deployment does not need)
// and serve it with worker.mjs, wasm/worker/crumb-worker.mjs and Go's
// wasm_exec.js. Configuration comes from the worker's bindings (see
// gate.FromEnv), read through worker.Getenv so that a TinyGo build
// (tinygo build -target=wasm) gets it too.
package main

import (
	"os"

	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	cfg, err := gate.FromEnv(worker.Getenv, gate.EnvOptions{})
	var h wasm.Handler
	if err == nil {
		h, err = gate.New(cfg)
	}
	if err != nil {
		// Answer every request with a bare 500 rather than exit: an
		// exiting module would be re-instantiated on every request.
		// The detail (it names a variable, never a key) goes to the
		// console once, not to clients.
		h = gate.Misconfigured(err, os.Stderr)
	}
	// Headers only: the shim streams bodies to the origin untouched.
	worker.Serve(h, worker.Options{})
}
