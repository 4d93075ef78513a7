// Package ed448 provides the Ed448 signature scheme (RFC 8032) for
// crumb's public-key rings, through github.com/cloudflare/circl.
//
// Unlike Ed25519 it is safe for TinyGo builds, which cannot import
// crypto/ed25519, so it is the scheme an edge worker verifies with.
// Signatures are 114 bytes.
//
// It is a package of its own so that only builds that use public-key
// sessions link circl (and, through it, encoding/asn1, math/big and
// fmt): a stock-Go edge worker that only holds symmetric rings stays
// well below 1 MB gzip without it.
//
// Security contract: seeds never appear in formatting or errors
// (keys.PrivateKey redacts them), the public-key ID binds the scheme
// name, and a verifier refuses a public key of the wrong size, one that
// is not a canonically encoded curve point, and one of small order.
// Signatures are deterministic (RFC 8032), so no randomness is needed
// at signing time.
package ed448
