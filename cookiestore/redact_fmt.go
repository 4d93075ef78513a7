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

// LogValue implements slog.LogValuer: the event's kind, its reason for
// EventRefused, and the lifetime it leaves; never an ID or data.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", e.Kind.String())}
	if e.Err != nil {
		attrs = append(attrs, slog.String("reason", e.Err.Error()))
	}
	if e.Lifetime.Idle > 0 {
		attrs = append(attrs, slog.Duration("idle", e.Lifetime.Idle), slog.Duration("absolute", e.Lifetime.Absolute),
			slog.Bool("browser_session", e.Lifetime.BrowserSession))
	}
	return slog.GroupValue(attrs...)
}
