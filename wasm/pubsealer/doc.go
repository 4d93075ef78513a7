// Package pubsealer builds the sealer for any wasm.Mode, the Ed448 modes
// included, from a mode and a ring's text, the way an edge worker gets
// them from its environment.
//
// It is a package of its own so that only the builds that need
// public-key sessions pay for them: it imports package keys/ed448 and,
// through it, github.com/cloudflare/circl (with encoding/asn1, math/big
// and fmt), about 150 KB gzip in a stock-Go worker. A worker that only
// holds symmetric rings uses wasm.NewSymmetricSealer and never imports
// this package. Both build with TinyGo.
//
// Security contract: as for package wasm. Ring text is parsed and
// dropped, and no error carries key material: errors wrap wasm.ErrConfig
// and the sentinel errors of package keys. The ed448-verify mode holds
// only public keys, so an edge that only checks sessions cannot mint
// them.
package pubsealer
