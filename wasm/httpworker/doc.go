// Package httpworker serves a net/http Handler inside a Workers
// (workerd) fetch handler through crumb's bridge (package worker and its
// JavaScript shim). It is the convenience mode for stock Go builds
// (GOOS=js GOARCH=wasm): TinyGo cannot import net/http, and linking
// net/http costs several hundred kilobytes of gzip, so edge code that
// only checks sessions should use package worker directly (see
// examples/edge-gate).
//
// The handler sees an *http.Request with the method, URL, headers and
// body the client sent; what it writes is buffered and returned as one
// response, every Set-Cookie a header of its own. Streaming responses
// and hijacking are not supported.
//
// Security contract: as package worker's. A panicking handler gets a
// bare 500; nothing of the request is logged.
package httpworker
