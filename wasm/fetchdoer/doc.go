// Package fetchdoer sends net/http requests through the Workers
// runtime's fetch, by way of crumb's bridge (worker.Fetch), so kvstore's
// HTTP stores (Webdis, Upstash, Cloudflare KV) work inside workerd:
//
//	store, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: url, Client: fetchdoer.Doer{}})
//
// Go's own js/wasm http.Transport also uses fetch, but it brings the
// whole net/http client into the module; this Doer is a thin
// conversion. It is for stock Go builds (kvstore's Doer takes an
// *http.Request); serve the handler with worker.Options{Async: true},
// since a fetch blocks.
//
// Security contract: redirects are not followed (a store that redirects
// is misconfigured, and following could send credentials elsewhere),
// request bodies are sent as given, a response body over
// Doer.MaxResponseBody (4 MiB by default) is refused while it streams in
// rather than buffered, and errors carry neither the URL (which holds
// store keys) nor the runtime's message.
package fetchdoer
