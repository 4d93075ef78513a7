// Package headerfield applies the rules net/http's server applies to a
// response's header fields as it writes them, for adapters that hand a
// handler's header to something other than net/http (the Lambda
// adapter's proxy responses and stream preludes).
//
// net/http (Header.writeSubset, Go 1.25 and 1.26) drops a field whose
// name is not a valid token (golang.org/x/net/http/httpguts
// ValidHeaderFieldName), replaces CR and LF in each value with a space
// (headerNewlineToSpace) and trims ASCII whitespace around it
// (textproto.TrimString). A handler that echoes input into a header is
// safe on net/http because of these rules, and must stay so elsewhere.
// The token table is copied here so that the main module does not need
// golang.org/x/net for it.
package headerfield

import "strings"

// ValidName reports whether name is a valid header field name: one or
// more token characters (RFC 7230 section 3.2.6), as httpguts'
// ValidHeaderFieldName decides.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 0x80 || !isToken[c] {
			return false
		}
	}
	return true
}

// CleanValue returns v as net/http writes it: CR and LF replaced by a
// space, then leading and trailing spaces, tabs, CRs and LFs trimmed.
func CleanValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = newlineToSpace.Replace(v)
	}
	return strings.Trim(v, " \t\r\n")
}

var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// isToken is httpguts' isTokenTable: the token characters of RFC 7230
// section 3.2.6, "!#$%&'*+-.^_`|~", digits and letters.
var isToken = [128]bool{
	'!': true, '#': true, '$': true, '%': true, '&': true, '\'': true, '*': true, '+': true,
	'-': true, '.': true, '^': true, '_': true, '`': true, '|': true, '~': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true, 'J': true,
	'K': true, 'L': true, 'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true, 'S': true, 'T': true,
	'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true, 'j': true,
	'k': true, 'l': true, 'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true, 's': true, 't': true,
	'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
}
