// Package gate is crumb's edge gate: a worker that checks the session
// cookie before a request reaches the origin. It works on wasm.Request
// and wasm.Response (header text, no net/http), so it runs in a
// GOOS=js module built by stock Go or TinyGo, and natively in tests.
//
// A worker's main is a few lines (examples/edge-gate is one, and
// `crumb-edge init` writes one):
//
//	cfg, err := gate.FromEnv(worker.Getenv, gate.EnvOptions{})
//	var h wasm.Handler
//	if err == nil {
//		h, err = gate.New(cfg)
//	}
//	if err != nil {
//		h = gate.Misconfigured(err, os.Stderr)
//	}
//	worker.Serve(h, worker.Options{})
//
// FromEnv reads the worker's bindings; a Config can also be built in
// code, and New validates it. Only a gate that asks for Ed448
// (EnvOptions.NewSealer = pubsealer.New, from package wasm/pubsealer)
// links public-key code.
//
// For each request the gate:
//   - answers 400 when the URL's path is not canonical (see Canonical):
//     percent-escapes of plain characters, dot segments, "//", '\' and
//     ';' are refused, so the origin cannot route a request to a
//     protected path the gate read as another one;
//   - opens the session cookie with cookiestore's engine (LoadHeader),
//     with the same sealer and cookie options as the origin;
//   - strips any identity header the client sent, and adds it back only
//     with the identity read from a valid session;
//   - redirects anonymous requests for protected paths to the login
//     page, clearing a cookie it refused (expired, tampered, unknown
//     key);
//   - renews the cookie when its idle expiry is due, if it holds the
//     sealing key (not with a verify-only Ed448 ring): the renewed value
//     goes to the origin in the Cookie header and to the client in a
//     Set-Cookie, unless the origin sets that cookie itself, which then
//     wins;
//   - forwards everything else to the origin, bodies streamed by the
//     shim, never copied through Go;
//   - marks every answer that depended on the cookie: its own 303s and
//     503s carry Vary: Cookie, and a forwarded response gets Cookie
//     merged into the origin's Vary when the request carried a session
//     cookie (valid or not), and a Cache-Control made private the way
//     cookiestore.PrivateCacheControl does when the request was
//     authenticated (cookiestore.CacheControl when the gate adds a
//     Set-Cookie), through wasm.Forward.Cache.
//
// Security contract: the identity header the origin receives was put
// there by the gate from a session that authenticated, was within its
// idle and absolute lifetimes, and decoded; whatever the client sent
// under that name is removed first, whatever its case and whether it is
// spelt with '_' or '-'. A request reaches the origin only with a
// canonical path, forwarded byte for byte, and protected prefixes are
// matched on its decoded, ASCII-lower-cased form. The origin must
// only be reachable through the gate (or ignore the header otherwise).
// No response the origin gave an authenticated request leaves the edge
// publicly cacheable or without Vary: Cookie, so a shared cache in
// front of the edge cannot serve it to another user.
// Nothing of a cookie, a key or the session data is logged. The gate
// never turns a bad cookie into an error status: a refused cookie is an
// anonymous request.
package gate
