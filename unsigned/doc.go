// Package unsigned is crumb's sealer for non-sensitive data that needs
// no protection: display preferences, a theme, a dismissed banner.
//
// A value is base64url of a 17-byte header (format byte, zero key ID,
// name tag, issued-at, expiry) followed by the payload, which the
// session layer writes as JSON, so anyone can read it with a base64
// decoder.
//
// Security contract: none. The client can read, change and forge every
// byte, including the times. Open checks the format, the cookie name
// tag and the times only to catch mistakes, and then calls the
// validation function given to New, which is the sole defence and must
// treat the payload as hostile input. Never put identity, authorisation
// or anything secret in an unsigned cookie: use package signed when the
// client may read but not change the data, and package encrypted when it
// may do neither.
package unsigned
