package cookiestore

import (
	"context"
	"time"
)

// Backend decides where a session record lives. It sits between the
// encoded record and the sealer: whatever Save returns is what gets
// sealed into the cookie, and what the sealer opens from an incoming
// cookie is what Load receives.
//
// The default backend (used when Options.Backend is nil) keeps the whole
// record in the cookie: Save returns the record itself, Load returns
// the opened payload unchanged, and Delete does nothing. A server-side
// backend (see package kvstore) stores the record under the session ID
// and returns only the ID as the reference, so the cookie carries a
// sealed session ID and the data stays on the server.
//
// The engine calls a Backend only from LoadHeader (once per request
// that uses the session; the middleware also loads, before the handler
// runs, any request that carries a Cookie header, so that an outage is
// answered as one) and from Commit, always with the request's context
// and never concurrently for one session. Every
// error from a Backend is wrapped in ErrBackend except a Load error
// wrapping ErrMissing, which means "no such record" and starts a fresh
// session. Any other Load error, and every Save or Delete error, makes
// the net/http middleware answer Options.BackendFailureStatus (503 by
// default) instead of the handler's response, because a response that
// pretends a session was saved or destroyed when it was not is worse
// than an error page. The middleware saves before the first byte of
// the response, so the headers are never gone when a save fails.
type Backend interface {
	// Load returns the encoded record that ref points to. ref is the
	// payload the sealer authenticated, so it is exactly what an
	// earlier Save returned. When the record does not exist (expired,
	// deleted, revoked) Load returns an error wrapping ErrMissing.
	Load(ctx context.Context, ref []byte) (record []byte, err error)

	// Save stores rec and returns the reference to seal into the
	// cookie. A server-side Backend (Options.Backend non-nil) returns
	// rec.ID itself: the store checks that every record it loads
	// carries the session ID its cookie names, and refuses one that
	// does not as ErrInvalid. It is called when the session changed, when the idle
	// expiry is renewed, and when the sealing key rotated.
	Save(ctx context.Context, rec Record) (ref []byte, err error)

	// Delete removes the record ref points to. It is called on Destroy
	// and, after Save of the new identity, on Regenerate. Deleting a
	// missing record is not an error.
	Delete(ctx context.Context, ref []byte) error
}

// Record is what Backend.Save stores.
type Record struct {
	// ID is the session ID: 43 characters of unpadded base64url text
	// encoding 32 random bytes. It changes on Regenerate and Destroy,
	// never otherwise. The same text is inside Payload.
	ID string
	// Payload is the encoded session record (session ID, creation time,
	// data and flashes, through the store's Codec).
	Payload []byte
	// Changed is false when Payload equals the record the request
	// loaded and only the expiry moves (idle renewal or key rotation):
	// a store may then extend the entry's lifetime without rewriting
	// it.
	Changed bool
	// New is true when this store has never saved a record under ID:
	// the session started in this request (no cookie, or one that was
	// refused), or Regenerate or Destroy replaced its identity. ID was
	// then drawn from crypto/rand in this process and has never been
	// in a cookie, so no other request can know it, load it or delete
	// it: a store that guards against writing back a deleted record
	// (see package kvstore) may create it with a single create-only
	// write and skip its revocation checks. New is false for an ID
	// that came from the request's cookie or that an earlier Commit of
	// this request saved. A failed Save of a New ID leaves New true
	// for the next attempt even though the write may have landed, so a
	// store must accept finding a record under a New ID (its own
	// earlier write) rather than fail.
	New bool
	// Expires is when the session ends: the earlier of the idle and the
	// absolute expiry. A store should drop the record then.
	Expires time.Time
	// Replaces, set only with New, is the reference of the identity
	// this record carries on after Regenerate: the same session, whose
	// old record is deleted after this Save succeeds. A store that
	// keeps deleted sessions deleted must refuse (with an error
	// wrapping ErrMissing) to create the new record when the old one
	// was deleted meanwhile by a concurrent request (a logout), or
	// the logout would be undone under the new ID.
	Replaces []byte
}

// cookieBackend keeps the whole record inside the cookie.
type cookieBackend struct{}

func (cookieBackend) Load(_ context.Context, ref []byte) ([]byte, error) { return ref, nil }
func (cookieBackend) Save(_ context.Context, rec Record) ([]byte, error) { return rec.Payload, nil }
func (cookieBackend) Delete(context.Context, []byte) error               { return nil }
