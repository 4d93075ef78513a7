package crumb

import (
	"errors"
	"io"
	"time"

	"github.com/crumbkit/crumb/internal/sealopt"
)

// A Sealer turns a session payload into a cookie value and back.
//
// Every value is bound to the cookie name it was sealed for: a value
// minted for one name never opens under another. Issued-at and expiry
// times travel inside the authenticated part of the value and Open
// enforces them, so a cookie's Max-Age is never what keeps an old
// value out.
//
// Implementations are safe for concurrent use. Errors returned by Open
// wrap exactly one of the sentinel errors below, and never contain key
// material or the whole cookie value.
type Sealer interface {
	// Seal returns the cookie value for payload under the cookie name,
	// valid until expires. It uses the ring's primary key.
	Seal(name string, payload []byte, expires time.Time) (string, error)

	// Open authenticates value for the cookie name and returns what it
	// carries.
	Open(name, value string) (Opened, error)
}

// Opened is what a successful Open returns.
type Opened struct {
	// Payload is the session payload. For the signed and unsigned
	// sealers it was readable by the client.
	Payload []byte
	// IssuedAt and Expires are the times sealed into the value, with a
	// resolution of one second.
	IssuedAt, Expires time.Time
	// Rotated reports that a key other than the ring's primary opened
	// the value. The caller should re-seal it so the old key can retire.
	Rotated bool
}

// Sentinel errors returned, wrapped, by Sealer.Open and Sealer.Seal.
// Check them with errors.Is.
var (
	// ErrMalformed: the value is not in a format this sealer reads
	// (bad base64, wrong version byte, truncated).
	ErrMalformed = errors.New("crumb: malformed value")
	// ErrInvalid: the value failed authentication: tampered, forged, or
	// sealed under a different key or by a different sealer.
	ErrInvalid = errors.New("crumb: invalid value")
	// ErrUnknownKey: the value names a key ID that is not in the ring,
	// typically a key that was rotated out.
	ErrUnknownKey = errors.New("crumb: unknown key ID")
	// ErrExpired: the value authenticated but its expiry has passed
	// (beyond the allowed clock skew), or it was issued in the future.
	ErrExpired = errors.New("crumb: expired value")
	// ErrWrongName: the value carries the name tag of a different
	// cookie name, or the name itself is not one a sealer accepts
	// (empty, over 255 bytes, or not an RFC 6265 token: Seal and Open
	// refuse the same names with the same error). The
	// tag is read before authentication, so it only tells a value
	// moved to another cookie apart from garbage; a value whose tag was
	// rewritten to match fails authentication with ErrInvalid.
	ErrWrongName = errors.New("crumb: value sealed for another cookie name")
	// ErrTooLarge: the value or payload exceeds the sealer's size
	// limit. Oversized values are refused before any decoding.
	ErrTooLarge = errors.New("crumb: value too large")
)

// An Option changes a setting of a sealer. Options are passed to the
// sealers' New functions.
type Option func(*sealopt.Options)

// WithClock makes the sealer read the time from now instead of
// time.Now. Tests and test vectors use it to pin the clock.
func WithClock(now func() time.Time) Option {
	if now == nil {
		panic("crumb: WithClock(nil)")
	}
	return func(o *sealopt.Options) { o.Now = now }
}

// WithSkew sets the clock skew Open tolerates at both edges of a value's
// validity: a value is accepted from IssuedAt-skew until Expires+skew.
// The default is 30 seconds. WithSkew panics if skew is negative or
// more than an hour, which would defeat expiry.
func WithSkew(skew time.Duration) Option {
	if skew < 0 || skew > time.Hour {
		panic("crumb: WithSkew outside [0, 1h]")
	}
	return func(o *sealopt.Options) { o.Skew = skew }
}

// WithMaxValueLen sets the longest cookie value Open will look at, in
// bytes of base64 text, and so the largest payload Seal will produce.
// Longer values are refused with ErrTooLarge before any decoding. The
// default, 16 KiB, leaves room for a value split across four chunk
// cookies. WithMaxValueLen panics if n is below 64 or above 1 MiB.
func WithMaxValueLen(n int) Option {
	if n < 64 || n > 1<<20 {
		panic("crumb: WithMaxValueLen outside [64, 1MiB]")
	}
	return func(o *sealopt.Options) { o.MaxValueLen = n }
}

// WithRand sets the source of randomness for nonces. It exists for
// reproducible test vectors: production code keeps the default,
// crypto/rand.
func WithRand(r io.Reader) Option {
	if r == nil {
		panic("crumb: WithRand(nil)")
	}
	return func(o *sealopt.Options) { o.Rand = r }
}
