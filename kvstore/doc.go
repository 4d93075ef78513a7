// Package kvstore keeps server-side session data in a key-value store
// reached over HTTP, for sessions that outgrow a 4 KB cookie or that
// need a logout which really revokes.
//
// The cookie then carries only a session ID, sealed by crumb's signed
// sealer; the data lives in a Store:
//
//   - Memory: a bounded, expiring, in-process store for development and
//     tests.
//   - Webdis: Redis through Webdis's HTTP interface.
//   - HTTPKV: the Cloudflare Workers KV REST API (NewCloudflareKV) or
//     the Upstash Redis REST API (NewUpstash).
//
// Backend plugs a Store into cookiestore, so the same Session[T] API
// works with a cookie that carries only the signed session ID.
//
// Edge workers and Lambdas reach these over HTTP rather than TCP
// drivers. Every HTTP store sends its requests through a Doer, so an
// edge build can plug in the runtime's fetch.
//
// # Security contract
//
//   - Session IDs are 256 bits from crypto/rand (NewSessionID). They are
//     stored only as SHA-256 hashes (SessionID.StoreKey), so a dump of
//     the store does not hand out live sessions.
//   - An ID from a request is format-checked (ParseSessionID) before any
//     network call: a forged or malformed ID never reaches the store.
//     (It should also have come out of a signed cookie; the format check
//     is the second fence, not the first.)
//   - A SessionID prints redacted with %v and %s; only Encode gives the
//     text for the cookie.
//   - Errors wrap exactly one sentinel (ErrNotFound, ErrUnavailable,
//     ErrUnauthorized, ErrTooLarge, ErrTimeout, ErrBadKey, ErrBadTTL,
//     ErrProtocol) and never hold a key, a value, a token or a password.
//     Transport errors are stripped of the request URL, which holds the
//     key.
//   - Keys are percent-encoded byte by byte, so no key can inject a
//     Webdis argument, an output format or a path segment.
//   - Every write sets a TTL (rounded up to whole seconds; at least 60 s
//     on Cloudflare). Writes are never retried; reads are retried once
//     after ErrUnavailable by default. Context deadlines bound every
//     call, and the default client (NewClient) has its own timeouts and
//     follows no redirects.
//   - Responses are read with a size bound; nothing a store sends makes
//     this package panic.
//
// See docs/kvstore.md for when to choose a store over a cookie, and for
// ordering, concurrent-writer and failure semantics.
package kvstore
