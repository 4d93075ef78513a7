//go:build !tinygo && !crumb_nohttp

package cookiestore

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Format implements fmt.Formatter so that every verb prints the
// redacted String: without it, %v would print the ID, a credential, to
// a Revoker's log line.
func (s SessionInfo) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(s.String()))
		return
	}
	io.WriteString(f, s.String())
}

// LogValue implements slog.LogValuer with the redacted String.
func (s SessionInfo) LogValue() slog.Value { return slog.StringValue(s.String()) }
