//go:build js && wasm

package worker

import (
	"context"
	"errors"
	"os"
	"strconv"
	"syscall/js"

	"github.com/crumbkit/crumb/wasm"
)

// Names the shim and Go share on globalThis.
const (
	serveGlobal    = "__crumbkit_serve"
	fetchGlobal    = "__crumbkit_fetch"
	envGlobal      = "__crumbkit_env"      // the worker's string bindings
	bindingsGlobal = "__crumbkit_bindings" // the worker's env object itself
	shimGlobal     = "__crumbkit_shim"     // the shim's Protocol
)

// Getenv returns the worker's text binding or secret called name, ""
// when there is none. The shim hands them to Go when it starts the
// instance, for both compilers: with stock Go they are also in
// os.Getenv, but TinyGo's js runtime shows os.Getenv nothing of them,
// so code meant for both reads its settings here.
func Getenv(name string) string {
	v := js.Global().Get(envGlobal)
	if v.Type() != js.TypeObject {
		return ""
	}
	if s := v.Get(name); s.Type() == js.TypeString {
		return s.String()
	}
	return ""
}

// Binding returns the worker's binding called name (a KV namespace, a
// service, a text binding) as the runtime gives it in env, and false
// when the worker has none by that name.
func Binding(name string) (js.Value, bool) {
	env := js.Global().Get(bindingsGlobal)
	if env.Type() != js.TypeObject {
		return js.Undefined(), false
	}
	b := env.Get(name)
	if b.IsUndefined() || b.IsNull() {
		return js.Undefined(), false
	}
	return b, true
}

// Options says what the handler needs from the shim.
type Options struct {
	// Body makes the shim read request bodies into Request.Body. Leave it
	// off for a handler that only reads headers (a gate): the shim then
	// never buffers the body, and a forward sends it on as a stream.
	Body bool
	// Async runs each request in its own goroutine and hands the shim a
	// Promise. A handler that calls Fetch, or blocks in any other way,
	// needs it: a synchronous callback that blocks deadlocks the runtime.
	// It costs a Promise and a goroutine per request.
	Async bool
}

// Serve registers h with the shim and blocks forever, as a js/wasm main
// must: if main returned, every later request would fail until the
// shim made a new instance.
//
// A shim of another crumb version (its Protocol differs from this
// package's) cannot be trusted to read the frames the same way: then
// every request is answered with a bare 500, and the reason, naming
// both versions, goes once to the console (Go's stderr).
func Serve(h wasm.Handler, o Options) {
	if err := checkShim(js.Global().Get(shimGlobal)); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		h = wasm.HandlerFunc(func(*wasm.Request) *wasm.Response { return nil })
	}
	uint8Array := js.Global().Get("Uint8Array")
	serve := func(frame js.Value, n int) js.Value {
		buf := make([]byte, n)
		js.CopyBytesToGo(buf, frame)
		out := handle(h, buf)
		u := uint8Array.New(len(out))
		js.CopyBytesToJS(u, out)
		return u
	}
	var fn js.Func
	if o.Async {
		promise := js.Global().Get("Promise")
		fn = js.FuncOf(func(_ js.Value, args []js.Value) any {
			frame, n := args[0], args[1].Int()
			var executor js.Func
			executor = js.FuncOf(func(_ js.Value, pargs []js.Value) any {
				resolve := pargs[0]
				go func() { resolve.Invoke(serve(frame, n)) }()
				return nil
			})
			p := promise.New(executor)
			executor.Release() // the Promise constructor runs it at once
			return p
		})
	} else {
		fn = js.FuncOf(func(_ js.Value, args []js.Value) any {
			return serve(args[0], args[1].Int())
		})
	}
	reg := js.Global().Get("Object").New()
	reg.Set("serve", fn)
	reg.Set("body", o.Body)
	reg.Set("async", o.Async)
	reg.Set("protocol", Protocol)
	js.Global().Set(serveGlobal, reg)
	select {}
}

// ErrProtocol is returned, wrapped, when the JavaScript shim and the Go
// module come from different crumb versions.
var ErrProtocol = errors.New("worker: crumb-worker.mjs and the Go module speak different protocols")

type protocolError struct{ shim string }

func (e protocolError) Error() string {
	return ErrProtocol.Error() + " (shim: " + e.shim + ", module: " + strconv.Itoa(Protocol) +
		"); write the shim from the crumb version that built the module (crumb-edge init does)"
}
func (e protocolError) Unwrap() error { return ErrProtocol }

// checkShim compares the protocol the shim announced with Protocol.
func checkShim(v js.Value) error {
	switch {
	case v.Type() == js.TypeNumber && v.Int() == Protocol:
		return nil
	case v.Type() == js.TypeNumber:
		return protocolError{strconv.Itoa(v.Int())}
	}
	return protocolError{"none announced, an older shim"}
}

var (
	badRequest  = []byte("400\ncontent-type:text/plain\n\nbad request\n")
	serverError = []byte("500\ncontent-type:text/plain\n\ninternal error\n")
)

// handle runs the handler on one frame and returns the answer's frame.
// A handler panic becomes a 500 so the instance survives it.
func handle(h wasm.Handler, frame []byte) (out []byte) {
	req, err := wasm.DecodeRequest(frame)
	if err != nil {
		return badRequest
	}
	defer func() {
		if recover() != nil {
			out = serverError
		}
	}()
	resp := h.ServeEdge(req)
	if resp == nil {
		return serverError
	}
	out, err = wasm.AppendResponse(make([]byte, 0, 256+len(resp.Body)), resp)
	if err != nil {
		return serverError
	}
	return out
}

// ErrFetch is returned, wrapped, when the runtime's fetch rejects (a
// network error, a refused connection). It deliberately carries only
// the JavaScript error's name: its message may quote the URL.
var ErrFetch = errors.New("worker: fetch failed")

// tooLargeName is the name of the error the shim rejects with when a
// body is over the limit.
const tooLargeName = "CrumbResponseTooLarge"

type fetchError struct{ name string }

func (e fetchError) Error() string { return ErrFetch.Error() + " (" + e.name + ")" }
func (e fetchError) Unwrap() error { return ErrFetch }

// DefaultMaxResponseBody is the largest response body Fetch reads:
// 4 MiB, room for kvstore's default 1 MiB value limit (Webdis, Upstash)
// in any of the stores' encodings, with headroom. A store with larger
// values (Cloudflare KV allows 25 MiB) needs a Fetcher with a higher
// MaxResponseBody.
const DefaultMaxResponseBody = 4 << 20

// ErrResponseTooLarge is returned when a fetched response's
// body is over the Fetcher's MaxResponseBody. The shim stops reading at
// the limit (or at once, for a Content-Length over it), so a store that
// answers with too much cannot exhaust the isolate's memory.
var ErrResponseTooLarge = errors.New("worker: fetched response body over the limit")

// A Fetcher makes outbound requests through the runtime's fetch. The
// zero value is ready to use; Fetch uses it.
type Fetcher struct {
	// MaxResponseBody caps the response body, in bytes, read while it
	// streams in, before any of it is copied to Go.
	// DefaultMaxResponseBody when zero or negative.
	MaxResponseBody int64
}

// Fetch sends req through the runtime's fetch with the zero Fetcher.
func Fetch(ctx context.Context, req *wasm.Request) (*wasm.Response, error) {
	return Fetcher{}.Fetch(ctx, req)
}

// Fetch sends req through the runtime's fetch (redirects are not
// followed) and returns the whole response, its body at most
// MaxResponseBody bytes (ErrResponseTooLarge otherwise). It must be
// called from a handler served with Options.Async, or from a goroutine;
// ctx ending aborts the fetch.
func (f Fetcher) Fetch(ctx context.Context, req *wasm.Request) (*wasm.Response, error) {
	limit := f.MaxResponseBody
	if limit <= 0 {
		limit = DefaultMaxResponseBody
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	frame, err := wasm.AppendRequest(nil, req)
	if err != nil {
		return nil, err
	}
	fetch := js.Global().Get(fetchGlobal)
	if fetch.Type() != js.TypeFunction {
		return nil, errors.New("worker: the crumb-worker.mjs shim is not loaded")
	}
	u := js.Global().Get("Uint8Array").New(len(frame))
	js.CopyBytesToJS(u, frame)
	ac := js.Global().Get("AbortController").New()

	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var then, catch js.Func
	release := func() { then.Release(); catch.Release() }
	then = js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- result{v: a[0]}
		release()
		return nil
	})
	catch = js.FuncOf(func(_ js.Value, a []js.Value) any {
		name := "Error"
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			if n := a[0].Get("name"); n.Type() == js.TypeString {
				name = n.String()
			}
		}
		if name == tooLargeName {
			ch <- result{err: ErrResponseTooLarge}
		} else {
			ch <- result{err: fetchError{name}}
		}
		release()
		return nil
	})
	// A float64 holds any limit up to 2^53 exactly.
	fetch.Invoke(u, ac.Get("signal"), float64(limit)).Call("then", then, catch)

	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		ac.Call("abort")
		return nil, ctx.Err()
	}
	if r.err != nil {
		return nil, r.err
	}
	buf := make([]byte, r.v.Get("length").Int())
	js.CopyBytesToGo(buf, r.v)
	return wasm.DecodeResponse(buf)
}
