package kvstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors; check with errors.Is. Every error a store returns is
// an *Error whose Kind is exactly one of them, or errors.ErrUnsupported
// for an operation the store does not have (Touch and the conditional
// writes on Cloudflare KV). For context and transport failures the
// *Error also wraps the cause (context.DeadlineExceeded, say), which is
// not a sentinel of this package. None of them, nor any *Error, carries
// a key, a value, a token or a password.
var (
	// ErrNotFound: the key does not exist or has expired. Only a
	// store's own "no such key" answer means this (Webdis's nil reply,
	// Cloudflare's error 10009); an HTTP 404 that is not one is
	// ErrConfig. From Sessions.Save and Refresh: the session's record was
	// deleted (or expired) meanwhile and was not written back.
	ErrNotFound = errors.New("kvstore: not found")
	// ErrUnavailable: the store could not be reached or said it cannot
	// serve now (connection refused or reset, HTTP 5xx such as Webdis's
	// 503 when Redis is down, 429, a Redis LOADING/OOM/READONLY reply).
	ErrUnavailable = errors.New("kvstore: store unavailable")
	// ErrUnauthorized: the store refused the credentials or the command
	// (HTTP 401/403; Webdis answers 403 both for a wrong password and for
	// a command its ACL denies).
	ErrUnauthorized = errors.New("kvstore: unauthorized")
	// ErrTooLarge: the value exceeds the store's limit, checked before
	// sending and also reported by the store (HTTP 413).
	ErrTooLarge = errors.New("kvstore: value too large")
	// ErrTimeout: the operation did not finish in time: the context
	// ended (deadline or cancellation) or the transport's own timeout
	// fired. When the context ended, the error also wraps ctx.Err().
	ErrTimeout = errors.New("kvstore: timeout")
	// ErrBadKey: the key (or the session ID it came from) is malformed
	// or outside the store's limits. It is detected before any network
	// call, except when the store itself refuses a key as too long (HTTP
	// 414). Only a malformed session ID means "no such session"; a key
	// too long for the store is a configuration error (a prefix too
	// long), which Backend reports as a failure.
	ErrBadKey = errors.New("kvstore: bad key")
	// ErrBadTTL: the TTL is not positive. A session whose lifetime has
	// run out is deleted, not written.
	ErrBadTTL = errors.New("kvstore: TTL must be positive")
	// ErrConfig: the store's answer means the client is pointed at the
	// wrong place: an HTTP 404 that is not the store's "no such key"
	// (a wrong Cloudflare account or namespace ID, a wrong base path in
	// front of Webdis or Upstash). It must not be taken for a missing
	// session, or a misconfiguration would log everyone out.
	ErrConfig = errors.New("kvstore: store misconfigured (not found at this URL)")
	// ErrProtocol: the store answered something this client does not
	// understand, or reported a command error (a Redis "ERR ..." reply
	// arriving as HTTP 200 from Webdis, a Cloudflare 400).
	ErrProtocol = errors.New("kvstore: protocol error")
)

// Error describes a failed store operation. Its fields never hold the
// key, the value or credentials: Detail is the store's own message,
// truncated, or a transport error whose text names only host and port.
type Error struct {
	Store  string // "memory", "webdis", "cloudflare", "upstash"
	Op     string // "get", "set", "delete", "touch"
	Status int    // HTTP status, when there was a response
	Kind   error  // one of the sentinel errors
	Detail string
	cause  error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kvstore: %s %s: %s", e.Store, e.Op, strings.TrimPrefix(e.Kind.Error(), "kvstore: "))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap exposes the sentinel and, for context and transport failures,
// the underlying cause (context.DeadlineExceeded, for instance).
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Kind, e.cause}
	}
	return []error{e.Kind}
}

// NewError returns the error a Store implemented outside this package
// reports, so that its callers can branch on it like on the stores here.
// kind must be one of this package's sentinel errors (or
// errors.ErrUnsupported); cause, when not nil, stays reachable through
// errors.Is and errors.As (context.DeadlineExceeded, a network error).
// detail is clipped to a short printable line. Neither detail nor
// cause's text may hold a key, a value or a credential.
func NewError(store, op string, kind error, detail string, cause error) *Error {
	e := newErr(store, op, kind, 0, detail)
	e.cause = cause
	return e
}

func newErr(store, op string, kind error, status int, detail string) *Error {
	return &Error{Store: store, Op: op, Kind: kind, Status: status, Detail: clip(detail)}
}

// clip bounds a store-provided message so a misbehaving server cannot
// flood logs, and drops bytes that are not printable UTF-8.
func clip(s string) string {
	const max = 200
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// ctxErr converts an ended context into ErrTimeout, keeping ctx.Err()
// reachable with errors.Is.
func ctxErr(store, op string, ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	e := newErr(store, op, ErrTimeout, 0, "context ended before the store answered")
	e.cause = err
	if errors.Is(err, context.Canceled) {
		e.Detail = "context canceled"
	}
	return e
}

// statusKind maps an HTTP status from any of the stores to a sentinel.
// The numbers are spelt out so that this file needs no net/http: an
// edge build with the crumb_nohttp tag links none.
func statusKind(code int) error {
	switch {
	case code == 404:
		// No store here answers a missing key with a bare 404: Webdis
		// and Upstash answer 200 with a nil reply, and Cloudflare's 404
		// is checked for its own error code before this.
		return ErrConfig
	case code == 401 || code == 403:
		return ErrUnauthorized
	case code == 413:
		return ErrTooLarge
	case code == 414:
		return ErrBadKey
	case code == 408 || code == 504:
		return ErrTimeout
	case code == 429 || code >= 500:
		return ErrUnavailable
	default:
		return ErrProtocol
	}
}

// redisErrKind classifies a Redis error reply by its leading word.
func redisErrKind(msg string) error {
	word, _, _ := strings.Cut(strings.TrimSpace(msg), " ")
	switch strings.ToUpper(word) {
	case "LOADING", "OOM", "READONLY", "MISCONF", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN":
		return ErrUnavailable
	case "NOAUTH", "WRONGPASS", "NOPERM":
		return ErrUnauthorized
	default:
		return ErrProtocol
	}
}
