// Package worker runs a Go handler inside a Cloudflare Workers (workerd)
// fetch handler. Build with GOOS=js GOARCH=wasm (stock Go) or TinyGo's
// wasm target; the package needs neither net/http nor encoding/json.
//
// The Go side calls Serve, which registers the handler with the
// JavaScript shim crumb-worker.mjs (in this directory; copy it next to
// Go's wasm_exec.js) and blocks forever. The shim instantiates the module
// lazily inside the first fetch, passes each request to Go as one byte
// frame (package wasm documents the framing), and turns the answer back
// into a Response, appending every Set-Cookie with Headers.append so that
// none is collapsed. A handler can also answer with a forward: the shim
// sends the request on to an origin with the headers Go chose and streams
// the origin's response back, so a gate never copies bodies through Go.
//
// Fetch lets a handler make outbound requests through the runtime's
// fetch (stores, origins); such a handler must be served with
// Options.Async. A Fetcher sets the largest response body it reads.
//
// Security contract:
//   - The bridge does not interpret headers: what the handler returns is
//     what the client gets, after a check that no header can split a line
//     (a handler that produces one gets a 500, never a smuggled header).
//   - A panic in the handler is recovered and answered with a bare 500;
//     the instance keeps serving. If the Go program exits anyway (a
//     panic in another goroutine, a fatal runtime error), every request
//     waiting on it gets a bare 500 at once and the next request starts
//     a new instance. Nothing of the request (cookies included) is
//     logged.
//   - Fetch reads a response body of at most Fetcher.MaxResponseBody
//     (DefaultMaxResponseBody, 4 MiB): the shim refuses a larger
//     Content-Length before reading and stops a body that streams past
//     the limit, so a misbehaving store cannot exhaust the isolate's
//     memory through the bridge.
//   - Errors from Fetch never include the URL or the runtime's message,
//     which may hold store keys or credentials from the URL.
//   - Settings come from the worker's text and secret bindings
//     (Getenv, which works with stock Go and TinyGo; TinyGo's os.Getenv
//     sees none of them): keep rings in secrets, never in the module or
//     config.
//   - The shim and this package check each other's Protocol: a shim of
//     another crumb version is refused (bare 500s, both versions named
//     on the console) rather than trusted to read frames the same way.
//     Files returns the shim of exactly this version.
package worker
