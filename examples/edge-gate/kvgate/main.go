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
// prefix, "crumb:s:" when empty). With REVOCATION_KV_BINDING set (a
// namespace binding's name, which may be KV_BINDING's) it also checks
// the origin's revocation list (kvstore.Revocations) in that namespace,
// under REVOCATION_PREFIX ("crumb:r:" when empty) and with
// REVOCATION_MAX_STALE as the cache's staleness bound (a Go duration,
// "5s" when empty, "0" for none), so that the origin's "log out
// everywhere" reaches the edge. Workers KV is eventually consistent: a
// revocation written elsewhere can take 60 seconds or more to be seen
// in other locations.
package main

import (
	"errors"
	"os"

	"github.com/crumbkit/crumb/examples/edge-gate/internal/revenv"
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
	var o gate.EnvOptions
	if err == nil {
		o.Backend = kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: worker.Getenv("SESSION_PREFIX")})
		err = revocations(&o)
	}
	if err == nil {
		var cfg gate.Config
		cfg, err = gate.FromEnv(worker.Getenv, o)
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

// revocations sets o.Revocation when REVOCATION_KV_BINDING names a
// binding.
func revocations(o *gate.EnvOptions) error {
	name := worker.Getenv(revenv.EnvBinding)
	if name == "" {
		return nil
	}
	opts, err := revenv.Options(worker.Getenv)
	if err != nil {
		return err
	}
	store, err := kvbinding.New(name)
	if err != nil {
		return errors.New(revenv.EnvBinding + ": " + err.Error())
	}
	o.Revocation = kvstore.NewRevocations(store, opts)
	return nil
}
