//go:build js && !crumb_nohttp

package kvstore

import (
	"errors"
	"net/http"
)

// defaultDoer on js/wasm refuses every request instead of linking
// net/http's client, which would add about 1.2 MB (gzip) of TLS and
// HTTP/2 to an edge module that must fit in 3 MB. Edge builds pass the
// runtime's fetch as the store's Client (package wasm/fetchdoer).
func defaultDoer() Doer { return noDoer{} }

type noDoer struct{}

func (noDoer) Do(*http.Request) (*http.Response, error) {
	return nil, errNoClient
}

var errNoClient = errors.New("kvstore: no HTTP client on js/wasm; set the store's Client (for example wasm/fetchdoer)")
