package cookiestore

import (
	"errors"
	"strings"

	"github.com/crumbkit/crumb"
)

// Sentinel errors. Every error this package returns or hands to
// Options.OnError wraps exactly one of them; check with errors.Is. Load
// errors also wrap the crumb sentinel the sealer returned (for example
// crumb.ErrUnknownKey), so both checks work.
var (
	// ErrNoCookie: the request carried no session cookie. Load returns
	// it with a fresh session; the middleware does not report it, since
	// it is the normal state of a first visit.
	ErrNoCookie = errors.New("cookiestore: no session cookie")
	// ErrMissing: the cookie was valid but its backend has no record
	// for it (expired, deleted or revoked on the server).
	ErrMissing = errors.New("cookiestore: session record missing")
	// ErrInvalid: the cookie is malformed, tampered with, sealed for
	// another name or with another key, split into chunks that are
	// missing or out of order, or its record does not decode.
	ErrInvalid = errors.New("cookiestore: invalid session cookie")
	// ErrExpired: the session passed its idle timeout or its absolute
	// lifetime.
	ErrExpired = errors.New("cookiestore: session expired")
	// ErrUnknownKey: the cookie was sealed with a key that is no longer
	// in the ring.
	ErrUnknownKey = errors.New("cookiestore: session sealed with an unknown key")
	// ErrRejected: the record decoded but Options.Validate refused it.
	ErrRejected = errors.New("cookiestore: session data rejected by validation")
	// ErrTooLarge: an incoming cookie is larger than the sealer accepts,
	// or the session does not fit into the allowed Set-Cookie lines
	// (4096 bytes each, Options.MaxChunks of them).
	ErrTooLarge = errors.New("cookiestore: session too large for a cookie")
	// ErrCodec: the session data or a flash value could not be encoded.
	ErrCodec = errors.New("cookiestore: session data does not encode")
	// ErrBackend: the Backend failed to load, save or delete a record.
	ErrBackend = errors.New("cookiestore: session backend failed")
	// ErrHeadersSent: the session changed after the response headers
	// were sent, so the change could not be saved.
	ErrHeadersSent = errors.New("cookiestore: session changed after headers were sent")
	// ErrConfig: New was given options that would produce an unsafe or
	// unusable cookie.
	ErrConfig = errors.New("cookiestore: invalid options")
)

// Error is the type of the errors this package returns. Kind is one of
// the sentinels above; Cause, when set, is the underlying error (a crumb
// sentinel, a backend error or the validation error) and is kept out
// of the message when it might echo session contents.
type Error struct {
	Op     string // "load", "commit", "new"
	Kind   error
	Detail string // a fixed description, never cookie contents
	Cause  error
	// hideCause keeps the cause's text out of Error(), for causes such
	// as codec errors that may quote part of the payload.
	hideCause bool
}

func (e *Error) Error() string {
	s := "cookiestore: " + e.Op + ": " + trimPrefix(e.Kind.Error())
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Cause != nil && !e.hideCause {
		// A cause that wraps the kind (a Backend's "%w: %w" of
		// ErrMissing and its own error) would repeat the kind's text.
		cause := e.Cause.Error()
		if k := e.Kind.Error() + ": "; strings.HasPrefix(cause, k) {
			cause = cause[len(k):]
		} else if cause == e.Kind.Error() {
			cause = ""
		}
		if cause != "" {
			s += ": " + cause
		}
	}
	return s
}

// Unwrap returns the kind and the cause, so errors.Is matches both.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

func trimPrefix(s string) string {
	const p = "cookiestore: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func newErr(op string, kind error, detail string, cause error) *Error {
	return &Error{Op: op, Kind: kind, Detail: detail, Cause: cause}
}

// openErr classifies an error from Sealer.Open.
func openErr(err error) *Error {
	switch {
	case errors.Is(err, crumb.ErrExpired):
		return newErr("load", ErrExpired, "", err)
	case errors.Is(err, crumb.ErrUnknownKey):
		return newErr("load", ErrUnknownKey, "", err)
	case errors.Is(err, crumb.ErrTooLarge):
		return newErr("load", ErrTooLarge, "", err)
	default:
		return newErr("load", ErrInvalid, "", err)
	}
}
