package gate

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrPath is returned, wrapped, by New for a protected prefix or login
// path that is not in canonical form (see Canonical).
var ErrPath = errors.New("gate: path is not canonical")

// Canonical reports whether path (the part of a URL before any '?') is
// in the one spelling the gate matches protected prefixes against, so
// that the origin cannot read it as a different path than the gate did.
// The gate answers 400 to any request whose path is not canonical and
// forwards the others byte for byte; it never rewrites a path.
//
// A canonical path:
//   - starts with '/';
//   - has no empty segment ("//") except a trailing slash, and no "."
//     or ".." segment: origins and the URL parsers in front of them
//     resolve those, so "/x/../admin" and "//admin" may reach "/admin";
//   - has no segment ending in '.' or a space (raw or "%20"): Windows
//     file systems and IIS drop those, so "/admin./x" and "/admin%20/x"
//     reach "/admin/x" there;
//   - has no '\' and no ';': some servers treat '\' as '/' (IIS, a
//     Windows file system), and Java servlet containers drop a ";..."
//     path parameter from a segment, so "/admin;x/secret" routes to
//     "/admin/secret";
//   - percent-encodes only what must be: an escape of an unreserved
//     character (letters, digits, "-._~") is refused, since an origin
//     that decodes it ("/%61dmin", "/%2e%2e/admin") would route to a
//     path the gate did not check; so is an escape of '/', '\', ';' or
//     '%' (an encoded slash splits a segment on some origins, and
//     "%25" turns into a new escape on one that decodes twice), of a
//     control character, or of bytes that are not valid UTF-8 (an
//     overlong "%C0%AF" is '/' to some old decoders); every '%' starts
//     an escape of two hex digits;
//   - has no raw byte outside the printable ASCII range (the Workers
//     URL parser escapes those, so only a crafted caller sends them),
//     and no '?' or '#' (they end a path).
//
// What it does not normalise, because no origin can be told apart by
// it: case. The gate compares the decoded path with its prefixes
// ASCII-case-insensitively instead, so "/ADMIN/x" is protected when
// "/admin/" is, for origins that match case-insensitively.
func Canonical(path string) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '%':
			if i+2 >= len(path) {
				return false
			}
			hi, ok1 := unhex(path[i+1])
			lo, ok2 := unhex(path[i+2])
			if !ok1 || !ok2 {
				return false
			}
			if d := hi<<4 | lo; d < 0x20 || d == 0x7f || unreserved(d) || d == '/' || d == '\\' || d == ';' || d == '%' {
				return false
			}
			i += 2
		case c <= ' ' || c >= 0x7f || c == '\\' || c == ';' || c == '?' || c == '#':
			return false
		}
	}
	segs := strings.Split(path[1:], "/")
	for i, s := range segs {
		if s == "" && i != len(segs)-1 || s == "." || s == ".." {
			return false
		}
		// Windows file systems and IIS drop a segment's trailing dots
		// and spaces: "/admin./x" and "/admin%20/x" are "/admin/x"
		// there.
		if d := decode(s); d != "" && (d[len(d)-1] == '.' || d[len(d)-1] == ' ') {
			return false
		}
	}
	return utf8.ValidString(decode(path))
}

// matchKey is what a canonical path is matched on: its escapes decoded
// (a canonical path has no escaped '/', so decoding cannot move a
// segment boundary) and ASCII letters lower-cased.
func matchKey(path string) string {
	d := []byte(decode(path))
	for i, c := range d {
		if 'A' <= c && c <= 'Z' {
			d[i] = c + 'a' - 'A'
		}
	}
	return string(d)
}

// decode percent-decodes s; malformed escapes are kept as they are
// (Canonical refuses them before this matters).
func decode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unreserved is RFC 3986's unreserved set, whose escapes mean the same
// as the character itself.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
