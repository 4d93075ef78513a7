package main

import "text/template"

var mainTemplate = template.Must(template.New("main.go").Parse(`//go:build js && wasm

// Command {{.Name}} is a crumb edge gate, written by crumb-edge init. It
// checks the session cookie before requests reach the origin; package
// github.com/crumbkit/crumb/wasm/gate documents what it does. Build it
// with 'crumb-edge build .', serve it locally with 'crumb-edge dev .'.
package main

import (
	"os"
{{if .Async}}
	"github.com/crumbkit/crumb/kvstore"{{end}}
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"{{if .Async}}
	"github.com/crumbkit/crumb/wasm/kvbinding"{{end}}{{if .Ed448}}
	"github.com/crumbkit/crumb/wasm/pubsealer"{{end}}
	"github.com/crumbkit/crumb/wasm/worker"
)

// defaults are the settings crumb-edge init was given. A worker variable
// of the same name (wrangler.toml [vars], a secret) overrides each; the
// ring (SESSION_KEYS) and the origin (ORIGIN_URL) come only from there.
var defaults = map[string]string{
	gate.EnvMode:      {{printf "%q" .Mode}},
	gate.EnvCookie:    {{printf "%q" .Cookie}},
	gate.EnvProtected: {{printf "%q" .Protect}},
	gate.EnvLogin:     {{printf "%q" .Login}},
}

func getenv(name string) string {
	if v := worker.Getenv(name); v != "" {
		return v
	}
	return defaults[name]
}

func main() {
	h, err := newGate()
	if err != nil {
		// Every request gets a bare 500; the reason, which names a
		// variable and never its value, goes once to the console.
		h = gate.Misconfigured(err, os.Stderr)
	}
	worker.Serve(h, worker.Options{ {{- if .Async}}Async: true{{end -}} })
}

func newGate() (wasm.Handler, error) {
	opts := gate.EnvOptions{ {{- if .Ed448}}NewSealer: pubsealer.New{{end -}} }
{{- if .KV}}
	store, err := kvbinding.New({{printf "%q" .KV}})
	if err != nil {
		return nil, err
	}
	opts.Backend = kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: getenv("SESSION_PREFIX")})
{{- end}}
{{- if .RevokeKV}}
	// The origin's revocation list (kvstore.Revocations over the same
	// namespace, REVOCATION_PREFIX and IDENTITY_FIELD as the origin's):
	// a session revoked there, by its logout or "log out everywhere",
	// no longer passes, once Workers KV shows the change here.
	list, err := kvbinding.New({{printf "%q" .RevokeKV}})
	if err != nil {
		return nil, err
	}
	opts.Revocation = kvstore.NewRevocations(list, kvstore.RevocationOptions{Prefix: getenv("REVOCATION_PREFIX")})
{{- end}}
	cfg, err := gate.FromEnv(getenv, opts)
	if err != nil {
		return nil, err
	}
	return gate.New(cfg)
}
`))

var goModTemplate = template.Must(template.New("go.mod").Parse(`module {{.Module}}

go 1.25.0

require github.com/crumbkit/crumb {{.Version}}
{{if .Crumb}}
replace github.com/crumbkit/crumb => {{.Crumb}}
{{end}}`))

const workerMJS = `// The worker's main module: crumb's shim serving the Go gate.
import { crumbWorker } from "./crumb-worker.mjs";
import mod from "./gate.wasm";

export default crumbWorker(mod);
`

var wranglerTemplate = template.Must(template.New("wrangler.toml").Parse(`# Written by crumb-edge init. Build gate.wasm first: crumb-edge build .
name = {{printf "%q" .Name}}
main = "worker.mjs"
compatibility_date = "{{.Date}}"
no_bundle = true

[[rules]]
type = "CompiledWasm"
globs = ["**/*.wasm"]
fallthrough = false

[[rules]]
type = "ESModule"
globs = ["**/*.mjs", "**/*.js"]
fallthrough = false

[vars]
ORIGIN_URL = {{printf "%q" .Origin}}
# SESSION_KEYS is a secret: wrangler secret put SESSION_KEYS
{{- if .KV}}

[[kv_namespaces]]
binding = {{printf "%q" .KV}}
# The namespace's ID: wrangler kv namespace create {{.KV}}
id = "00000000000000000000000000000000"
{{- end}}
{{- if and .RevokeKV (ne .RevokeKV .KV)}}

[[kv_namespaces]]
binding = {{printf "%q" .RevokeKV}}
# The origin's revocation list: wrangler kv namespace create {{.RevokeKV}}
id = "00000000000000000000000000000000"
{{- end}}
`))
