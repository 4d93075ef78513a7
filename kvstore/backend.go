package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
)

// Backend keeps cookiestore session records in a Store, so the same
// cookiestore.Session[T] API works with a cookie that carries only the
// session ID:
//
//	backend := kvstore.NewBackend(store, kvstore.BackendOptions{})
//	sessions, err := cookiestore.New(signed.New(ring), cookiestore.Options[Account]{Backend: backend})
//
// The reference sealed into the cookie is the session ID's text (43
// characters); the record is stored under the ID's hash (SessionID.StoreKey)
// with a TTL equal to the session's remaining lifetime. When the record
// changed it is written with Set; when only its expiry moved (cookiestore's
// idle renewal, at most once per RenewFraction of IdleTimeout) it is
// refreshed with Touch (EXPIRE), or re-put where the store has no Touch
// (Cloudflare). Regenerate writes under the new ID, then deletes the old
// one; Destroy deletes the record, and cookiestore expires the cookie.
// A deleted record is never written back by a request that loaded it
// before the delete (see Sessions).
//
// cookiestore saves before the response headers are sent; a Backend error
// replaces the handler's response with Options.BackendFailureStatus (503 by
// default) and goes to Options.OnError.
type Backend struct {
	sessions *Sessions
	now      func() time.Time
}

// BackendOptions configures a Backend.
type BackendOptions struct {
	// Prefix is prepended to every store key; "crumb:s:" when empty.
	Prefix string
	// Now is the clock used to turn Record.Expires into a TTL; time.Now
	// when nil. Give it the same clock as cookiestore.Options.Now.
	Now func() time.Time
	// RevokedTTL is how long a destroyed session's tombstone is kept;
	// DefaultRevokedTTL when zero. See Sessions.RevokedTTL.
	RevokedTTL time.Duration
}

var _ cookiestore.Backend = (*Backend)(nil)

// NewBackend returns a cookiestore.Backend over store.
func NewBackend(store Store, opts BackendOptions) *Backend {
	s := NewSessions(store)
	if opts.Prefix != "" {
		s.Prefix = opts.Prefix
	}
	s.RevokedTTL = opts.RevokedTTL
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Backend{sessions: s, now: opts.Now}
}

// Load implements cookiestore.Backend. A reference that is not a
// well-formed session ID is refused before any store call; it and a
// missing record both wrap cookiestore.ErrMissing, which starts a fresh
// session. Any other error makes cookiestore answer with its failure
// status (503 by default), because an outage or a misconfiguration must
// not look like a logout: a store down, a timeout, wrong credentials,
// and also a store that is pointed at the wrong place (ErrConfig, such
// as a wrong Cloudflare namespace) or keys it refuses as too long
// (ErrBadKey from a prefix that is too long).
func (b *Backend) Load(ctx context.Context, ref []byte) ([]byte, error) {
	id, err := ParseSessionID(string(ref))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", cookiestore.ErrMissing, err)
	}
	data, err := b.sessions.get(ctx, id)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("%w: %w", cookiestore.ErrMissing, err)
	default:
		return nil, err
	}
}

// Save implements cookiestore.Backend. A new session's record
// (Record.New: an ID never saved before, so never revoked) is created
// with one create-only write (SET NX; a plain put on Cloudflare) and no
// tombstone read. Otherwise a changed record goes through
// Sessions.Save, an idle renewal through Sessions.Refresh; neither
// writes back a record that was deleted meanwhile (a logout in a
// concurrent request). Then Save fails with an error wrapping both
// cookiestore.ErrMissing and ErrNotFound: cookiestore answers its
// failure status instead of the handler's response and sends no
// cookie, and the client's old cookie opens nothing, so the user's next
// request starts a fresh session.
func (b *Backend) Save(ctx context.Context, rec cookiestore.Record) ([]byte, error) {
	id, err := ParseSessionID(rec.ID)
	if err != nil {
		return nil, err
	}
	ttl := rec.Expires.Sub(b.now())
	if ttl < time.Second {
		// Expires is computed by cookiestore from the same clock just
		// before Save; a session this close to its end still gets a
		// record that outlives the cookie by at most a second.
		ttl = time.Second
	}
	switch {
	case rec.New && rec.Replaces != nil:
		// Regenerate: the new ID carries on a session that a logout
		// in a concurrent request may have deleted; it must stay
		// deleted, not live on under the new ID.
		old, perr := ParseSessionID(string(rec.Replaces))
		if perr != nil {
			old = SessionID{}
		}
		err = b.sessions.replace(ctx, old, func() error { return b.sessions.saveNew(ctx, id, rec.Payload, ttl) }, id)
	case rec.New:
		// An ID cookiestore drew in this request and never saved: no
		// cookie carries it, so no logout can have deleted it, and the
		// tombstone reads of Save would only cost round trips.
		err = b.sessions.saveNew(ctx, id, rec.Payload, ttl)
	case rec.Changed:
		err = b.sessions.Save(ctx, id, rec.Payload, ttl)
	default:
		err = b.sessions.Refresh(ctx, id, rec.Payload, ttl)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", cookiestore.ErrMissing, err)
	}
	if err != nil {
		return nil, err
	}
	return []byte(id.Encode()), nil
}

// Delete implements cookiestore.Backend. A malformed reference has no
// record to delete and is not an error.
func (b *Backend) Delete(ctx context.Context, ref []byte) error {
	id, err := ParseSessionID(string(ref))
	if err != nil {
		return nil
	}
	return b.sessions.Delete(ctx, id)
}
