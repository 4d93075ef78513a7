package cookiestore

import (
	"context"
	"errors"

	"github.com/crumbkit/crumb"
)

// Reload re-reads s from its backend within the request, like
// express-session's reload: Data and the incoming flashes become what
// the backend holds now for the session's current record (the one the
// request loaded, or the last Commit saved), and changes not yet
// committed are dropped. With a server-side Backend that picks up
// what a concurrent request saved; with the cookie itself it returns
// to what the request's cookie (or the last Commit) carried.
//
// A session never saved is reset to a fresh one. When the record is
// gone (a logout elsewhere) or no longer valid, s becomes a fresh
// session (IsNew) and the error wraps ErrMissing, ErrExpired,
// ErrInvalid or ErrRejected, as LoadHeader's would. On ErrBackend s is
// left as it was: the answer is unknown.
func (st *Store[T]) Reload(ctx context.Context, s *Session[T]) error {
	if s == nil {
		return nil
	}
	present, held := s.present, s.held
	if s.ref == nil {
		st.reset(s, present)
		st.initNew(s)
		return nil
	}
	fresh := &Session[T]{}
	st.reset(fresh, present)
	opened := crumb.Opened{Payload: s.ref, IssuedAt: s.issuedAt, Expires: s.expires, Rotated: s.rotated}
	if err := st.loadRecord(ctx, fresh, opened, chunks(held)); err != nil {
		if errors.Is(err, ErrBackend) {
			return err
		}
		st.reset(s, present)
		st.initNew(s)
		s.loadErr = err
		st.event(ctx, EventRefused, err, Lifetime{})
		return err
	}
	// The cookies the client holds are unchanged; a later Commit acts
	// on them.
	fresh.present = present
	*s = *fresh
	return nil
}

// chunks counts the chunk cookies in held (bits 0..n-1).
func chunks(held uint16) int {
	n := 0
	for held&(1<<n) != 0 {
		n++
	}
	return max(n, 1)
}
