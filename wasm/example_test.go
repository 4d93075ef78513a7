package wasm_test

import (
	"fmt"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

// A Reactor is what the WASI reactor's exports drive: configure once,
// then open and seal. Here it is called natively; a JavaScript host
// calls crumb_configure, crumb_open and crumb_seal the same way.
func ExampleReactor() {
	ring, _ := keys.GenerateRing(nil)
	r := wasm.NewReactor(pubsealer.New)
	if c := r.Configure(uint32(wasm.ModeEncrypted), []byte(ring.Export()), []byte("session")); c != 0 {
		fmt.Println("configure:", c.Err())
		return
	}
	n := r.Seal([]byte(`{"sub":"alice"}`), time.Now().Add(time.Hour).Unix())
	value := string(r.Result()[:n])

	n = r.Open([]byte(value))
	fmt.Printf("%s\n", r.Result()[:n])
	fmt.Println(r.Open([]byte(value + "x")).Err())
	// Output:
	// {"sub":"alice"}
	// crumb: malformed value
}

// The worker bridge's handlers answer with a Response, or forward the
// request to an origin with the headers they choose.
func ExampleHandlerFunc() {
	h := wasm.HandlerFunc(func(req *wasm.Request) *wasm.Response {
		if req.Header.Get("cookie") == "" {
			return &wasm.Response{Status: 303, Header: wasm.Header{{Name: "location", Value: "/login"}}}
		}
		fwd := req.Header.Clone()
		fwd.Del("x-crumb-user")
		return &wasm.Response{Forward: &wasm.Forward{Method: req.Method, URL: "https://origin.internal/", Header: fwd}}
	})
	frame, _ := wasm.AppendResponse(nil, h.ServeEdge(&wasm.Request{Method: "GET", URL: "https://edge/"}))
	fmt.Printf("%q\n", frame)
	// Output:
	// "303\nlocation:/login\n\n"
}
