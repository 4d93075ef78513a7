// Package encrypted is crumb's sealer for data the client must neither
// read nor change: AES-256-GCM with a fresh subkey for every value.
//
// Each value carries a 24-byte random nonce: 12 bytes of salt and 12
// bytes of GCM nonce. The salt selects the value's own AES-256 key,
// derived from the ring key's AES-GCM subkey (HKDF, keys.PurposeAESGCM)
// with four AES block operations, the way AES-GCM-SIV derives its keys.
// Plain AES-GCM with random 96-bit nonces must retire a key after about
// 2^32 seals, which a busy site reaches in days; here two values share a
// GCM key and nonce only if 192 random bits collide, so one ring key
// stays safe far past 2^48 seals (the collision chance after 2^48 seals
// is below 2^-96). docs/FORMAT.md states the layout and the bound.
//
// Security contract:
//   - Confidentiality and integrity of the payload; the format byte, key
//     ID, cookie name, purpose label and the issue and expiry times are
//     authenticated as associated data, so a value minted for one cookie
//     name never opens under another.
//   - Expiry is enforced by Open from the authenticated times, with a
//     small clock skew; the cookie's Max-Age is not relied on.
//   - The length of the payload is visible.
//   - A stolen cookie replays until it expires. Encryption stops reading
//     and forgery, not theft.
//   - Open remembers the per-value AES-GCM state of values that
//     authenticated (WithOpenCache), so opening an unchanged session
//     cookie again skips the key derivation, never the authentication.
//     Seal never uses it: every seal derives a fresh key.
package encrypted
