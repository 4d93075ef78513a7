package gate_test

import (
	"fmt"
	"os"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

func ExampleStringField() {
	email, ok := gate.StringField([]byte(`{"email":"alice@example.com","failed":0}`), "email")
	fmt.Println(email, ok)
	// Output: alice@example.com true
}

// A gate configured the way the worker's bindings configure it: an
// anonymous request for a protected path goes to the login page.
func ExampleGate() {
	ring, _ := keys.GenerateRing(nil)
	env := map[string]string{
		gate.EnvKeys:      ring.Export(),
		gate.EnvOrigin:    "https://origin.internal",
		gate.EnvProtected: "/account/",
		gate.EnvLogin:     "/login",
	}
	cfg, err := gate.FromEnv(func(k string) string { return env[k] }, gate.EnvOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, _ := gate.New(cfg)
	resp := g.ServeEdge(&wasm.Request{Method: "GET", URL: "https://example.com/account/settings"})
	fmt.Println(resp.Status, resp.Header.Get("location"))
	resp = g.ServeEdge(&wasm.Request{Method: "GET", URL: "https://example.com/about?x=1",
		Header: wasm.Header{{Name: "x-crumb-user", Value: "forged"}}})
	fmt.Println(resp.Forward.URL, len(resp.Forward.Header.Values("x-crumb-user")))
	// Output:
	// 303 /login
	// https://origin.internal/about?x=1 0
}

// Codec writes a session record as the origin's cookiestore.JSONCodec
// does, without encoding/json.
func ExampleCodec() {
	rec := &cookiestore.Envelope{
		ID:      "sid",
		Created: 1700000000,
		Flashes: map[string][]cookiestore.Raw{"notice": {cookiestore.Raw(`"<b>hi</b>"`)}},
		Data:    cookiestore.Raw(`{"email":"alice@example.com"}`),
	}
	mine, _ := gate.Codec{}.Marshal(rec)
	theirs, _ := cookiestore.JSONCodec{}.Marshal(rec)
	fmt.Println(string(mine))
	fmt.Println(string(mine) == string(theirs))

	var back cookiestore.Envelope
	err := gate.Codec{}.Unmarshal(mine, &back)
	fmt.Println(err, string(back.Data))
	// Output:
	// {"i":"sid","c":1700000000,"f":{"notice":["\u003cb\u003ehi\u003c/b\u003e"]},"d":{"email":"alice@example.com"}}
	// true
	// <nil> {"email":"alice@example.com"}
}

// A worker whose bindings are wrong answers a bare 500 and tells the
// operator why in the console (its stderr).
func ExampleMisconfigured() {
	_, err := gate.FromEnv(func(string) string { return "" }, gate.EnvOptions{NewSealer: pubsealer.New})
	h := gate.Misconfigured(err, os.Stdout) // a worker passes os.Stderr
	resp := h.ServeEdge(&wasm.Request{Method: "GET", URL: "https://example.com/"})
	fmt.Printf("%d %s", resp.Status, resp.Body)
	// Output:
	// edge gate misconfigured: gate: SESSION_KEYS is not set: generate a ring with `go run github.com/crumbkit/crumb/cmd/keygen` (ed448 modes: `keygen ed448`)
	// 500 internal error
}
