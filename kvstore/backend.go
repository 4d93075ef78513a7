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
}

var _ cookiestore.Backend = (*Backend)(nil)

// NewBackend returns a cookiestore.Backend over store.
func NewBackend(store Store, opts BackendOptions) *Backend {
	s := NewSessions(store)
	if opts.Prefix != "" {
		s.Prefix = opts.Prefix
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Backend{sessions: s, now: opts.Now}
}

// Load implements cookiestore.Backend. A reference that is not a
// well-formed session ID is refused before any store call; it and a
// missing record both wrap cookiestore.ErrMissing, which starts a fresh
// session. Any other error (store down, timeout, wrong credentials)
// makes cookiestore answer with its failure status (503 by default): an outage must not look like a logout.
func (b *Backend) Load(ctx context.Context, ref []byte) ([]byte, error) {
	_, data, err := b.sessions.Load(ctx, string(ref))
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, ErrBadKey), errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("%w: %w", cookiestore.ErrMissing, err)
	default:
		return nil, err
	}
}

// Save implements cookiestore.Backend.
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
	if rec.Changed {
		err = b.sessions.Save(ctx, id, rec.Payload, ttl)
	} else {
		err = b.sessions.Refresh(ctx, id, rec.Payload, ttl)
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
