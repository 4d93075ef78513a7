// Package signed is crumb's sealer for data the client may read but must
// not change.
//
// Two modes share one layout (docs/FORMAT.md):
//
//   - New: HMAC-SHA256 with a full 32-byte tag, under a subkey derived
//     from each ring key with HKDF (keys.PurposeHMAC), compared in
//     constant time.
//   - NewPublic and NewVerifier: Ed448 (keys/ed448: edge-safe, through
//     cloudflare/circl) or Ed25519 signatures from a keys.PrivateRing.
//     A verifier built from the public ring alone opens values but can
//     never mint them, so an edge worker or another service can trust
//     sessions without holding any signing secret.
//
// Security contract:
//   - The payload is NOT encrypted. base64url-decoding a cookie shows it
//     to anyone; use package encrypted for anything the client must not
//     see.
//   - The format byte, key ID, cookie name, purpose label, issue and
//     expiry times and payload are all authenticated: a value minted for
//     one cookie name never opens under another, and a value from
//     another sealer fails.
//   - Expiry is enforced by Open from the signed times, with a small
//     clock skew (crumb.WithSkew); the cookie's Max-Age is not relied
//     on.
//   - A stolen cookie replays until it expires: signing stops forgery,
//     not theft. Keep lifetimes short, and use a server-side store
//     (package kvstore) when logout must revoke at once.
package signed
