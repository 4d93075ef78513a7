// Package cookiestore turns a crumb.Sealer into typed sessions for
// net/http and for edge workers: the session data is a plain Go struct,
// sealed into a cookie, with flash messages, regeneration, sliding idle
// expiry and an absolute lifetime.
//
//	type Account struct{ UserID string }
//
//	store, err := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{})
//	mux.Handle("/", store.Middleware(app))
//
//	// in a handler
//	s := store.Get(r.Context()) // *cookiestore.Session[Account]
//	s.Data.UserID = "42"
//	s.Flash("notice", "Logged in")
//	s.Regenerate() // or s.Destroy()
//
// # What is in the cookie
//
// The sealed payload is a record, encoded with the store's Codec (JSON
// by default): the session ID (256 random bits), the creation time,
// the data and the flashes. The sealer authenticates it (signed),
// encrypts it (encrypted) or only frames it (unsigned), binds it to the
// cookie name, and seals an expiry into it: the earlier of the last
// re-issue plus IdleTimeout and the renewal interval, and the creation
// time plus AbsoluteTimeout. The record also carries the session's
// Lifetime, so any Store that opens it enforces and renews it alike
// (Session.Remember chooses it per session).
//
// # Lifecycle
//
// The middleware loads the session on the first Get and saves it just
// before the first byte of the response (WriteHeader, Write,
// WriteString, Flush or ReadFrom), without buffering the body. It sends
// Set-Cookie only when the data, flashes or identity changed, when the
// idle expiry is due for renewal (at most once per RenewFraction of
// IdleTimeout), or when the cookie was sealed with a key that is no
// longer the primary. A change made after the headers were sent is
// reported to Options.OnError as ErrHeadersSent; reading the session
// then (its flashes included) is no change, and unread flashes stay for
// the next request. Requests that never call Get leave the cookie (and
// a server-side record) alone, so static files do not slide a session
// or consume its flashes.
//
// A session whose absolute lifetime ends while a request uses it (it
// loaded a second before the end and the handler changed it after) is
// over: the response expires its cookies and goes out as the handler
// wrote it, OnError receives ErrExpired, and the next request starts a
// fresh session. Both timeouts end a session at exactly their end, as
// the sealers treat a sealed expiry; both are capped at MaxTimeout (400
// days, the longest cookie lifetime browsers keep).
//
// # Caches
//
// A response whose handler called Get depends on the Cookie header, so
// the middleware adds "Vary: Cookie" to it. When it also carries a
// Set-Cookie, Cache-Control becomes "private, no-store" unless the
// handler's value already has private or no-store (CacheControl). When
// it carries none but the session came from the request's cookie, the
// page may show that session's data, so "private" replaces public and
// s-maxage in the handler's value, which keeps the rest, such as max-age
// for the browser's own cache (PrivateCacheControl). A new session's
// response without Set-Cookie keeps the handler's Cache-Control: it
// shows what anyone without a session sees. Engine users apply the same
// rules with those two functions.
//
// Data is a plain field, so a change is found by comparison when the
// session is saved: for data types made of booleans, integers and
// strings (in structs and arrays, without custom marshalers) with a copy
// taken at load, otherwise by encoding the data and comparing it with
// the bytes the cookie carried. Changes inside maps, slices and pointed-
// to values are therefore seen too.
//
// A flash is readable on the next request only (Flashes,
// FlashValues), then dropped, unless Keep or Reflash carries it over.
//
// Without middleware, Load reads a session from a request and Save
// writes it to a ResponseWriter.
//
// # TinyGo and edge workers
//
// The engine (New, LoadHeader, Commit, CacheControl) takes the Cookie
// header's text and returns Set-Cookie lines, and imports neither
// net/http nor anything TinyGo lacks. The net/http adapter (Middleware,
// Get, Load, Save) lives in files with the build constraint
// "!tinygo && !crumb_nohttp", so `tinygo build` (which sets the tinygo
// tag) leaves it out, and so does a stock Go build with
// `-tags crumb_nohttp`: an edge module that uses only the engine links
// no net/http, which saves about 0.4 MB of gzipped wasm. The tag changes
// nothing else.
//
// The crumb_nojson tag removes the default Codec: New then fails with
// ErrConfig unless Options.Codec is set. With a Codec that does not
// reflect (the record reaches it as an *Envelope), nothing converts
// JSONCodec to a Codec and encoding/json is not linked, about 0.16 MB of
// gzipped wasm. JSONCodec stays available to programs that name it.
//
// # Server-side records
//
// A Backend decides where the record lives. The default keeps it in
// the cookie. A server-side Backend (package kvstore) stores the record
// under the session ID and returns only a reference to seal, so the
// same Session API works with a cookie that carries nothing but a
// sealed session ID. Backend failures never become a success response:
// when loading, saving or deleting a record fails, the middleware
// replaces the handler's response with Options.BackendFailureStatus
// (503 Service Unavailable by default) and reports the error to
// Options.OnError. With a server-side Backend the middleware loads the
// session before the handler runs whenever the request carries cookies,
// so that an outage is answered as one rather than looking like a
// logged-out user.
//
// # Security contract
//
//   - A cookie that is missing, malformed, tampered with, sealed for
//     another name or with an unknown or wrong key, expired, oversized,
//     split into chunks that are missing or out of order, or whose data
//     fails Options.Validate gives a fresh session (IsNew). It never
//     causes a panic or an error status; Options.OnError receives an
//     error wrapping ErrInvalid, ErrExpired, ErrUnknownKey, ErrTooLarge,
//     ErrRejected or ErrMissing (and the crumb sentinel behind it), and
//     the refused cookie is expired on the response (of a request that
//     used the session). The same holds for a session whose lifetime
//     ends during the request.
//   - A session that could not be saved never gets a success response:
//     the middleware saves before the first byte goes out, and on failure
//     replaces the handler's status, headers and body (Options.
//     BackendFailureStatus for ErrBackend, 500 otherwise).
//   - Expiry is enforced on the server from the sealed times and the
//     sealed creation time, never from the cookie's Max-Age.
//   - Regenerate and Destroy change the session ID, so an ID planted
//     before login is worthless after it (fixation).
//   - Defaults: HttpOnly, Secure, SameSite=Lax, Path=/, and the name
//     __Host-session. New refuses a __Host- cookie without Secure, Path=/
//     or with a Domain, SameSite=None or Partitioned without Secure;
//     InsecureHTTP is the explicit, development-only way to drop Secure.
//   - No Set-Cookie line exceeds 4096 bytes (name, value and attributes):
//     a larger session fails with ErrTooLarge before the response starts
//     (the middleware answers 500), or, when MaxChunks allows, is split
//     across numbered chunk cookies whose count is bound into the sealed
//     name, so a dropped, added or reordered chunk fails authentication.
//     Chunks a shrinking session no longer needs are expired, also when
//     Commit runs twice in one response. Chunk names (name.1 to
//     name.(MaxChunks-1)) are reserved for a chunking store, which
//     expires any it finds beside a cookie that does not fill its line;
//     a store that does not chunk never reads nor expires them.
//   - A response that used a session loaded from a cookie is never
//     left storable by shared caches (see Caches).
//   - Errors and OnError never carry key material or a cookie value;
//     decoding and Validate errors, which could quote the payload, are
//     reduced to a fixed description (errors.Is still finds the cause).
//   - A stolen cookie is valid until it expires: a cookie session cannot
//     be revoked on the server. Use a server-side Backend when logout
//     must revoke.
package cookiestore
