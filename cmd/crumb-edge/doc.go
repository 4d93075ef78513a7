// Command crumb-edge writes, builds and serves a crumb edge gate: a
// Cloudflare Workers (workerd) module, compiled from Go to WebAssembly,
// that checks crumb sessions before requests reach the origin.
//
//	crumb-edge init [flags] DIR   write a gate project into DIR
//	crumb-edge build [flags] DIR  compile DIR/gate.wasm and print its size
//	crumb-edge dev [flags] DIR    serve DIR in a local workerd
//
// From nothing to a gate answering locally:
//
//	crumb-edge init -origin http://127.0.0.1:8080 -protect /account/ mygate
//	crumb-edge build mygate
//	crumb-edge dev mygate
//
// init writes main.go (a thin main over package wasm/gate, with the
// cookie name, protected paths, login path and sealer mode from its
// flags), go.mod, worker.mjs, the shim crumb-worker.mjs of this crumb
// version, the wasm_exec.js of the compiler that will build the module
// (stock Go's, or TinyGo's with -tinygo), wrangler.toml (with a
// [[kv_namespaces]] binding with -kv, and one for the origin's
// revocation list with -revoke-kv) and .dev.vars (a fresh ring for
// local use; never deploy it). build runs go build (or tinygo build)
// with the flags docs/edge.md gives and prints the raw and gzip sizes
// against Cloudflare's limits (3 MB gzip on the free plan, 10 MB on
// paid ones). dev serves the built project in workerd on a free
// loopback port, with the variables of wrangler.toml and .dev.vars.
// Deploying is wrangler's job: `npx wrangler deploy` in DIR.
//
// Run `crumb-edge CMD -h` for each command's flags. Exit status: 0 on
// success, 1 when the work failed, 2 for bad flags or arguments.
package main
