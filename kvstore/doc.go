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
//   - redisstore.Store, in the nested module kvstore/redisstore: Redis
//     over TCP (single node, Cluster, Sentinel), for origins that can
//     open TCP connections.
//   - dynamostore.Store, in the nested module kvstore/dynamostore: an
//     Amazon DynamoDB table through the AWS SDK for Go v2, for origins
//     on AWS Lambda.
//
// Package kvstore/kvstoretest is the test suite every Store passes,
// importable by stores outside this package.
//
// Backend plugs a Store into cookiestore, so the same Session[T] API
// works with a cookie that carries only the signed session ID.
//
// Edge workers and Lambdas reach these over HTTP rather than TCP
// drivers. Every HTTP store sends its requests through a Doer, so an
// edge build can plug in the runtime's fetch. A worker on Cloudflare
// can instead use its KV namespace binding (package wasm/kvbinding);
// built with the crumb_nohttp tag, this package then leaves out the
// HTTP stores (Webdis, HTTPKV, NewClient) and links no net/http, which
// keeps such a worker about 0.4 MB gzip smaller. Memory, Sessions and
// Backend are always there.
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
//   - A SessionID is redacted in every fmt verb (Format), in log/slog
//     (LogValue) and in encoders (MarshalJSON, MarshalText); only Encode
//     gives the text for the cookie. fmt bypasses those methods for an
//     unexported struct field and for %p of a non-pointer (go vet reports
//     the latter): do not put a SessionID there.
//   - A deleted session stays deleted: Delete writes a tombstone, then
//     removes the record, and no save or idle renewal writes it back. On
//     stores with atomic conditional writes (Memory, Webdis, Upstash)
//     this holds against any concurrent request; on Cloudflare KV it is
//     as good as that store's consistency allows (docs/kvstore.md).
//   - A store pointed at the wrong place (an HTTP 404 that is not the
//     store's "no such key") is ErrConfig, and Backend reports it, like
//     any failure other than a missing record, as a failure rather than a
//     missing session: a misconfiguration or an outage must not look like
//     everyone being logged out.
//   - Every store error is an *Error whose Kind is exactly one of
//     ErrNotFound, ErrUnavailable, ErrUnauthorized, ErrTooLarge,
//     ErrTimeout, ErrBadKey, ErrBadTTL, ErrConfig and ErrProtocol, or
//     errors.ErrUnsupported for an operation the store lacks (Touch and
//     the conditional writes on Cloudflare KV). Some errors wrap more
//     besides: ErrTimeout also wraps ctx.Err(), a transport failure its
//     cause, Sessions.Regenerate's partial failure joins ErrStaleSession
//     with the store's error, and Backend's errors for a missing or
//     revoked session also wrap cookiestore.ErrMissing. None holds a key,
//     a value, a token or a password. Transport errors are stripped of
//     the request URL, which holds the key.
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
