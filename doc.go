// Package crumb is a toolkit for stateless cookie sessions on serverless
// and edge platforms (AWS Lambda, WebAssembly edge workers): the session
// lives in the cookie, sealed so that the server can trust what comes
// back.
//
// This package holds the contract every sealer implements, Sealer, with
// its result Opened, the sentinel errors, and the options (WithClock,
// WithSkew, WithMaxValueLen, WithRand). The sealers live in their own
// packages; keys are in package keys.
//
// # The Sealer contract
//
//   - Seal(name, payload, expires) returns one base64url cookie value
//     (no padding) under the ring's primary key.
//   - The format byte, key ID, cookie name, a purpose label and the
//     issue and expiry times are authenticated with the payload: a value
//     minted for one cookie name never opens under another, and a value
//     from one sealer never opens in another.
//   - Open enforces the expiry from inside the value, with a small clock
//     skew at both edges (WithSkew, default 30 s); the cookie's Max-Age
//     is never what keeps an old value out.
//   - Open finds the key by the ID in the value, a map lookup, never trial
//     decryption, and reports Rotated when a non-primary key matched so
//     the caller can re-seal with the primary.
//   - Every failure wraps exactly one sentinel (ErrMalformed, ErrInvalid,
//     ErrUnknownKey, ErrExpired, ErrWrongName, ErrTooLarge), checkable
//     with errors.Is, and no error ever holds key material or the cookie
//     value. A value longer than the limit is refused before decoding.
//   - Sealers are safe for concurrent use.
//
// docs/FORMAT.md gives the byte layouts, enough to write a compatible
// reader in another language; testdata/vectors holds test vectors.
//
// # Which sealer
//
//   - encrypted (AES-256-GCM, per-value subkey): the default for sessions.
//     The client can neither read nor change the payload.
//   - signed.New (HMAC-SHA256): the client may read the payload but not
//     change it; a little smaller and faster than encrypted.
//   - signed.NewPublic and signed.NewVerifier (Ed448 from keys/ed448, or
//     Ed25519 from keys/ed25519): an origin signs with a private ring, and
//     edge workers or other services verify with the public ring alone, so
//     they can never mint a session. Ed448 builds with TinyGo; Ed25519 does not.
//   - unsigned: readable, forgeable data such as display preferences, and
//     nothing else; its validation function is the only defence.
//
// What no sealer protects against: a stolen cookie replays until it
// expires. Keep lifetimes short, and keep state on the server (package
// kvstore) when logging out must revoke a session at once.
package crumb
