//go:build js && wasm

package httpworker

import (
	"bytes"
	"net/http"
	"sort"
	"strings"

	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/worker"
)

// Serve runs h for every request and blocks forever, with the zero
// Options. Request bodies are always read; requests run asynchronously
// (each in a goroutine behind a Promise), since a handler may block,
// for example on an http.Client, which Go's js/wasm port implements
// with fetch.
func Serve(h http.Handler) { ServeOptions(h, Options{}) }

// ServeOptions is Serve with options.
func ServeOptions(h http.Handler, o Options) {
	worker.Serve(HandlerOptions(h, o), worker.Options{Body: true, Async: true})
}

// Handler adapts h to the bridge's wasm.Handler, with the zero Options.
func Handler(h http.Handler) wasm.Handler { return HandlerOptions(h, Options{}) }

// HandlerOptions adapts h to the bridge's wasm.Handler.
func HandlerOptions(h http.Handler, o Options) wasm.Handler {
	return wasm.HandlerFunc(func(req *wasm.Request) *wasm.Response {
		return serve(h, req, o)
	})
}

func serve(h http.Handler, req *wasm.Request, o Options) *wasm.Response {
	r, err := newRequest(req, o)
	if err != nil {
		return &wasm.Response{Status: 400, Header: wasm.Header{{Name: "content-type", Value: "text/plain"}}, Body: []byte("bad request\n")}
	}
	w := &writer{header: make(http.Header)}
	h.ServeHTTP(w, r)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	resp := &wasm.Response{Status: w.status, Body: w.body.Bytes()}
	keys := make([]string, 0, len(w.header))
	for k := range w.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.ToLower(k)
		for _, v := range w.header[k] {
			resp.Header = append(resp.Header, wasm.Field{Name: name, Value: v})
		}
	}
	if w.body.Len() > 0 && w.header.Get("Content-Type") == "" {
		resp.Header = append(resp.Header, wasm.Field{Name: "content-type", Value: http.DetectContentType(w.body.Bytes())})
	}
	return resp
}

// writer buffers the response; the bridge returns it in one piece.
type writer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *writer) Header() http.Header { return w.header }

func (w *writer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *writer) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
