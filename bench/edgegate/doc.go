// Package edgegate measures crumb's edge gate against the same job done
// by hand in JavaScript: jsgate.mjs opens an encrypted crumb cookie with
// WebCrypto (from docs/FORMAT.md alone), checks its expiry and forwards
// the request with the identity header. TestEdgeLatency serves the gate
// built with TinyGo, the gate built with stock Go and jsgate.mjs from
// one workerd process, in front of one origin on loopback, and logs
// first-response times and latency percentiles side by side.
//
// Run it with the test command's figures step, or:
//
//	CRUMB_TINYGO=$(command -v tinygo) go test -v -run TestEdgeLatency ./edgegate
//
// from the bench module (npm's workerd must be installed at the crumb
// module root).
package edgegate
