//go:build js && wasm

// Command ed448gate is the edge gate for Ed448-signed sessions: the
// edge holds only the public ring (SESSION_MODE=ed448-verify) and
// never mints a session, or a private one (ed448-sign). It is
// examples/edge-gate with pubsealer.New in place of the default
// symmetric-only constructor, which is all that links the public-key
// code; build it the same way:
//
//	GOOS=js GOARCH=wasm go build -tags crumb_nohttp,crumb_nojson -ldflags='-s -w' -o gate.wasm ./examples/edge-gate/ed448gate
package main

import (
	"os"

	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/pubsealer"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	cfg, err := gate.FromEnv(worker.Getenv, gate.EnvOptions{NewSealer: pubsealer.New})
	var h wasm.Handler
	if err == nil {
		h, err = gate.New(cfg)
	}
	if err != nil {
		// A bare 500 for every request, the reason once on the console.
		h = gate.Misconfigured(err, os.Stderr)
	}
	worker.Serve(h, worker.Options{})
}
