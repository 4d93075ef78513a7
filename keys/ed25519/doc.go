// Package ed25519 provides the Ed25519 signature scheme (RFC 8032) for
// crumb's public-key rings, through the standard library.
//
// It is a package of its own because TinyGo cannot import
// crypto/ed25519: code bound for an edge worker built with TinyGo uses
// package keys/ed448 instead, and never imports this package. Ed25519 gives
// shorter signatures (64 bytes against Ed448's 114) for everything else.
//
// Security contract: as for package keys/ed448. Seeds never appear in formatting
// or errors (keys.PrivateKey redacts them), the public-key ID binds the
// scheme name, and a verifier refuses a public key of the wrong size.
// Signatures are deterministic (RFC 8032), so no randomness is needed
// at signing time.
package ed25519
