//go:build js && wasm

// Command kvgate is the edge gate with server-side sessions in Workers
// KV: the cookie carries only a sealed session ID, and the gate loads
// the record through the worker's KV namespace binding (package
// wasm/kvbinding), with no credentials in the worker. The origin must
// keep its records in the same namespace under the same key prefix
// (kvstore.NewCloudflareKV from outside Cloudflare, kvbinding from
// another worker). Build it like the cookie gate:
//
//	GOOS=js GOARCH=wasm go build -tags crumb_nohttp,crumb_nojson -ldflags='-s -w' -o gate.wasm ./examples/edge-gate/kvgate
//
// Besides gate.FromEnv's variables it reads KV_BINDING (the binding's
// name, "SESSIONS" when empty) and SESSION_PREFIX (kvstore's key
// prefix, "crumb:s:" when empty).
package main

import (
	"os"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/kvbinding"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	name := worker.Getenv("KV_BINDING")
	if name == "" {
		name = "SESSIONS"
	}
	var h wasm.Handler
	store, err := kvbinding.New(name)
	if err == nil {
		var cfg gate.Config
		cfg, err = gate.FromEnv(worker.Getenv, gate.EnvOptions{
			Backend: kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: worker.Getenv("SESSION_PREFIX")}),
		})
		if err == nil {
			h, err = gate.New(cfg)
		}
	}
	if err != nil {
		// A bare 500 for every request, the reason once on the console.
		h = gate.Misconfigured(err, os.Stderr)
	}
	// Async: loading a session waits on a KV Promise.
	worker.Serve(h, worker.Options{Async: true})
}
