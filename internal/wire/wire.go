package wire

import (
	"encoding/base64"
	"encoding/binary"
	"time"
	"unsafe"

	"github.com/crumbkit/crumb"
)

// Format bytes. A value from one sealer carries a format byte no other
// sealer accepts, so it fails as malformed instead of being misread.
const (
	FormatUnsigned = 0x01
	FormatHMAC     = 0x02
	FormatEd448    = 0x03
	FormatEd25519  = 0x04
	FormatAESGCM   = 0x05
)

// HeaderLen is the size of the shared header.
const HeaderLen = 17

// MaxNameLen bounds cookie names; browsers cap a whole cookie at 4096
// bytes, so longer names are certainly a mistake.
const MaxNameLen = 255

// b64 is strict: the default decoder accepts non-zero padding bits in
// the last character, so several texts would open as one value. With
// Strict and the length check in Decode (which catches the CR and LF
// that even Strict skips), a value has exactly one accepted spelling.
var b64 = base64.RawURLEncoding.Strict()

// Header is the decoded shared header.
type Header struct {
	Format   byte
	KeyID    uint32
	NameTag  uint32
	IssuedAt uint32
	Expires  uint32
}

// Put writes h into b[:HeaderLen].
func (h Header) Put(b []byte) {
	_ = b[HeaderLen-1]
	b[0] = h.Format
	binary.BigEndian.PutUint32(b[1:], h.KeyID)
	binary.BigEndian.PutUint32(b[5:], h.NameTag)
	binary.BigEndian.PutUint32(b[9:], h.IssuedAt)
	binary.BigEndian.PutUint32(b[13:], h.Expires)
}

// ParseHeader reads the header from b, which must hold HeaderLen bytes.
func ParseHeader(b []byte) Header {
	_ = b[HeaderLen-1]
	return Header{
		Format:   b[0],
		KeyID:    binary.BigEndian.Uint32(b[1:]),
		NameTag:  binary.BigEndian.Uint32(b[5:]),
		IssuedAt: binary.BigEndian.Uint32(b[9:]),
		Expires:  binary.BigEndian.Uint32(b[13:]),
	}
}

// NameTag is FNV-1a 32 of the cookie name. It is not a security
// measure (the name itself is authenticated through the context); it
// only lets Open tell a value moved to another cookie name apart from a
// forgery.
func NameTag(name string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return h
}

// ContextLen is the length AppendContext adds.
func ContextLen(label, name string) int { return len(label) + 3 + len(name) }

// AppendContext appends the authentication context: the sealer's
// purpose label, a zero byte, the name's length as a big-endian uint16,
// and the name. The length prefix keeps name boundaries unambiguous.
func AppendContext(b []byte, label, name string) []byte {
	b = append(b, label...)
	b = append(b, 0, byte(len(name)>>8), byte(len(name)))
	return append(b, name...)
}

// CheckName rejects names no browser would send back: empty, over 255
// bytes, or not an RFC 6265 token. Seal and Open share it, so a name
// Seal refuses never opens anything either, with the same error.
func CheckName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return Err(crumb.ErrWrongName, "cookie name empty or longer than 255 bytes")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || isSeparator(c) {
			return Err(crumb.ErrWrongName, "cookie name has a character RFC 6265 forbids")
		}
	}
	return nil
}

func isSeparator(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return true
	}
	return false
}

// SealTimes converts the issue and expiry times for the header.
func SealTimes(now, expires time.Time) (iat, exp uint32, err error) {
	n, e := now.Unix(), expires.Unix()
	if n < 0 || e > 0xFFFFFFFF {
		return 0, 0, Err(crumb.ErrExpired, "time outside 1970..2106")
	}
	if e <= n {
		return 0, 0, Err(crumb.ErrExpired, "expiry is not after the issue time")
	}
	return uint32(n), uint32(e), nil
}

// CheckTimes enforces the validity window with the skew at both edges:
// a value is good from IssuedAt-skew until Expires+skew, exclusive.
func CheckTimes(h Header, now time.Time, skew time.Duration) error {
	n := now.Unix()
	s := int64(skew / time.Second)
	if n >= int64(h.Expires)+s {
		return Err(crumb.ErrExpired, "past its expiry")
	}
	if int64(h.IssuedAt) > n+s {
		return Err(crumb.ErrExpired, "issued in the future")
	}
	return nil
}

// EncodedLen is the length of the base64url text for n raw bytes.
func EncodedLen(n int) int { return b64.EncodedLen(n) }

// NewBuffer returns raw, a slice of rawLen bytes for the caller to fill,
// in one allocation together with room for its encoding, which Encode
// then uses, and for scratch bytes of working space (the
// authentication context) that the caller may use until Encode. It
// refuses to build a value longer than maxLen.
func NewBuffer(rawLen, scratch, maxLen int) ([]byte, error) {
	enc := b64.EncodedLen(rawLen)
	if enc > maxLen {
		return nil, Err(crumb.ErrTooLarge, "sealed value would exceed the configured limit")
	}
	return make([]byte, rawLen, rawLen+max(enc, scratch)), nil
}

// Scratch returns the n bytes of spare capacity after the first off
// bytes of b, for working space that must not cost an allocation of its
// own. Callers pass the full length of what they will write, so the
// scratch never overlaps it.
func Scratch(b []byte, off, n int) []byte { return b[off : off : off+n] }

// Encode returns the base64url text of raw, a slice from NewBuffer,
// writing it into raw's spare capacity. raw must not be used afterwards.
// Sharing the allocation and viewing it as a string saves two
// allocations per seal; nothing writes to the bytes once encoded.
func Encode(raw []byte) string {
	enc := b64.AppendEncode(raw[len(raw):], raw)
	if len(enc) == 0 {
		return ""
	}
	return unsafe.String(&enc[0], len(enc))
}

// Decode refuses a value longer than maxLen before looking at it, then
// decodes its base64url text and checks that it holds at least minLen
// bytes and starts with the format byte.
//
// The returned slice has at least scratch bytes of spare capacity for
// the caller's working space.
func Decode(value string, maxLen int, format byte, minLen, scratch int) ([]byte, Header, error) {
	if len(value) > maxLen {
		return nil, Header{}, Err(crumb.ErrTooLarge, "value longer than the configured limit")
	}
	if len(value) < b64.EncodedLen(minLen) {
		return nil, Header{}, Err(crumb.ErrMalformed, "value too short")
	}
	// Decode reads src only, so viewing the string's bytes is safe and
	// saves a copy of the whole value.
	src := unsafe.Slice(unsafe.StringData(value), len(value))
	raw := make([]byte, b64.DecodedLen(len(value)), b64.DecodedLen(len(value))+scratch)
	n, err := b64.Decode(raw, src)
	if err != nil {
		return nil, Header{}, Err(crumb.ErrMalformed, "not base64url")
	}
	if b64.EncodedLen(n) != len(value) {
		// Only skipped CR or LF bytes make the text longer than the
		// canonical encoding of what it decoded to.
		return nil, Header{}, Err(crumb.ErrMalformed, "not base64url")
	}
	raw = raw[:n]
	if n < minLen {
		return nil, Header{}, Err(crumb.ErrMalformed, "value too short")
	}
	if raw[0] != format {
		return nil, Header{}, Err(crumb.ErrMalformed, "unknown format byte (another sealer or version)")
	}
	return raw, ParseHeader(raw), nil
}

// Error is a sealer error: a sentinel from package crumb plus a detail
// that never holds key material or the cookie value.
type Error struct {
	Kind   error
	Detail string
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Detail }
func (e *Error) Unwrap() error { return e.Kind }

// Err returns an *Error. It takes a fixed detail rather than a format
// so that no caller can interpolate secret data by accident.
func Err(kind error, detail string) error { return &Error{Kind: kind, Detail: detail} }

// Opened builds the result every sealer returns once a value has
// authenticated and is within its validity window.
func Opened(payload []byte, h Header, rotated bool) crumb.Opened {
	return crumb.Opened{
		Payload:  payload,
		IssuedAt: time.Unix(int64(h.IssuedAt), 0).UTC(),
		Expires:  time.Unix(int64(h.Expires), 0).UTC(),
		Rotated:  rotated,
	}
}
