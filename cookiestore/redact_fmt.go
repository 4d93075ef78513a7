//go:build !tinygo && !crumb_nohttp

package cookiestore

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v,
// %s, %d, %x, ...) prints the redacted form of String: without it, %d
// and %x would print the session's fields, its ID and record among
// them. %q quotes the redacted form.
func (s Session[T]) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(s.String()))
		return
	}
	io.WriteString(f, s.String())
}

// LogValue implements slog.LogValuer: log/slog's handlers log the
// redacted form.
func (s Session[T]) LogValue() slog.Value { return slog.StringValue(s.String()) }
