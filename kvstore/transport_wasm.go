//go:build (js || wasip1) && !crumb_nohttp

package kvstore

import (
	"errors"
	"net/http"
)

// defaultDoer on WebAssembly (js and wasip1) refuses every request
// instead of linking net/http's client: on js it would add about 1.2 MB
// (gzip) of TLS and HTTP/2 to an edge module that must fit in 3 MB, a
// wasip1 host gives Go no sockets to dial, and TinyGo's net/http lacks
// parts of the client (http.ProxyFromEnvironment), so kvstore would not
// even compile there. Edge builds pass the runtime's fetch as the
// store's Client (package wasm/fetchdoer).
func defaultDoer() Doer { return noDoer{} }

type noDoer struct{}

func (noDoer) Do(*http.Request) (*http.Response, error) {
	return nil, errNoClient
}

var errNoClient = errors.New("kvstore: no HTTP client on WebAssembly; set the store's Client (for example wasm/fetchdoer)")
