// Package keys holds crumb's key material: symmetric keys and rings for
// the signed and encrypted sealers, and private and public signing rings
// for public-key signed sessions.
//
// A Key is 32 random bytes with a 4-byte ID derived from it, so nobody
// keeps ID bookkeeping. A Ring is an ordered list of keys: the first
// (the primary) seals, every key opens, and a value names the key that
// sealed it, so opening is a map lookup, never trial decryption.
//
// Rings travel through environment variables in a text form: keys in
// base64 (url-safe or standard, padded or not) separated by commas, as
// printed by cmd/keygen:
//
//	SESSION_KEYS=3q2-7wXAMPLE...,oLdK3y...
//
// Security contract:
//   - Key material never appears in String, GoString or any %v, %s, %x
//     or %d formatting, nor in an error from this package. Export is the
//     one method that returns it, for writing a ring back to text.
//   - Each sealer derives its own subkey from a ring key with HKDF-SHA256
//     under a distinct purpose label (Key.Derive), so one environment
//     variable can feed a signed sealer, an encrypted sealer and a KV
//     store's session-ID hashing without the uses ever sharing a key.
//   - FromPassphrase stretches a low-entropy passphrase with Argon2id.
//     It is slow on purpose: run it once at load time (or offline with
//     `keygen derive`), never per request.
//   - Public-key rings (PrivateRing, PublicRing) let a service that holds
//     only public keys verify sessions it could never mint. The schemes
//     live in packages of their own, so only builds that use them link
//     them: keys/ed448 (safe for TinyGo builds, through circl) and
//     keys/ed25519 (not for TinyGo, which cannot import crypto/ed25519).
package keys
