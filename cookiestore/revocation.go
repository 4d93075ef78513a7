package cookiestore

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Revoker is a list of revoked sessions, checked for every session
// loaded from a cookie (Options.Revocation). It lets a cookie session
// end before its expiry, which a cookie alone cannot do: a copy of the
// cookie keeps opening until its sealed expiry, so the server has to
// remember that it is no longer good. kvstore.Revocations implements it
// over any kvstore store, with a bounded local cache so that a check
// costs no round trip on most requests.
//
// Implementations are safe for concurrent use and never log or return
// the session ID (SessionInfo.ID); they store it only hashed.
type Revoker interface {
	// Check reports whether the session may still be used: nil when
	// it may, an error wrapping ErrRevoked when it was revoked (its ID,
	// or every session of its user created up to a time), any other
	// error when the list could not be read. The store then answers
	// like a Backend that is down (ErrBackend, 503) unless
	// Options.RevocationFailOpen lets the request through.
	Check(ctx context.Context, s SessionInfo) error
	// Revoke marks the session's ID revoked until s.End, when the
	// session ends anyway. The store calls it on Commit after Destroy.
	Revoke(ctx context.Context, s SessionInfo) error
}

// SessionInfo is what a Revoker learns about a session: never its data.
type SessionInfo struct {
	// ID is the session ID's text (43 characters). It is a bearer
	// credential: store only a hash of it, never log it.
	ID string
	// User is Options.User of the session's data; "" when there is no
	// User function or the session belongs to no user.
	User string
	// Created is when the session was created or last regenerated
	// (whole seconds); "sessions of this user created up to T are
	// revoked" compares it with T.
	Created time.Time
	// End is the session's absolute end (Created plus its absolute
	// lifetime, which Remember may have set): no cookie of it opens
	// after End, so a revocation need not be kept longer.
	End time.Time
}

// methodKey finds the request method in a context (see
// WithRequestMethod and ReadOnlyRequest).
type methodKey struct{}

// WithRequestMethod returns ctx carrying the HTTP method of the request
// being served, for ReadOnlyRequest. The middleware does this itself;
// engine users (an edge worker calling LoadHeader) call it.
func WithRequestMethod(ctx context.Context, method string) context.Context {
	return context.WithValue(ctx, methodKey{}, method)
}

// ReadOnlyRequest reports whether the request ctx belongs to has a safe
// method (GET, HEAD or OPTIONS), which is not supposed to change
// anything. It is the usual Options.RevocationFailOpen: pages that
// only show something stay up while the revocation list is down, and
// anything that acts (a POST, a PUT, a DELETE) still gets 503.
func ReadOnlyRequest(ctx context.Context) bool {
	switch m, _ := ctx.Value(methodKey{}).(string); m {
	case "GET", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// revocationInfo describes the session s loaded, for the Revoker.
func (st *Store[T]) revocationInfo(s *Session[T], id string, created time.Time, absolute time.Duration) SessionInfo {
	info := SessionInfo{ID: id, Created: created, End: created.Add(absolute)}
	if st.cfg.User != nil {
		info.User = st.cfg.User(&s.Data)
	}
	return info
}

// checkRevoked asks the Revoker about a session that has just opened
// and decoded. It returns nil (the session may be used, possibly
// unverified), or the load error.
func (st *Store[T]) checkRevoked(ctx context.Context, s *Session[T], info SessionInfo) error {
	err := st.cfg.Revocation.Check(ctx, info)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrRevoked):
		return newErr("load", ErrRevoked, "", err)
	case st.cfg.RevocationFailOpen != nil && st.cfg.RevocationFailOpen(ctx):
		// The application chose to serve this request from a session
		// it cannot verify; it is marked, never saved, and the error
		// still goes to OnError.
		s.unverified = true
		st.report(ctx, newErr("load", ErrBackend, "revocation list unavailable; session accepted unverified (RevocationFailOpen)", err))
		return nil
	default:
		return newErr("load", ErrBackend, "checking the revocation list", err)
	}
}

// String is redacted: it shows whether the session has a user and its
// times, never the ID (a credential) or the user (personal data).
func (s SessionInfo) String() string {
	user := "none"
	if s.User != "" {
		user = "redacted"
	}
	return "SessionInfo{ID:redacted User:" + user + " Created:" + strconv.FormatInt(s.Created.Unix(), 10) +
		" End:" + strconv.FormatInt(s.End.Unix(), 10) + "}"
}

// GoString is redacted like String.
func (s SessionInfo) GoString() string { return s.String() }
