package cookiestore

// A Session holds its ID (a bearer credential, like the cookie) and
// the plaintext record. Printing one, by accident in a log line or an
// error, must not leak them: every way of printing it gives the
// redacted form. (The net/http build adds fmt.Formatter and
// slog.LogValuer, redact_fmt.go; the engine alone links neither.)

// String is redacted: it says whether the session is new, nothing of
// its ID or data.
func (s Session[T]) String() string {
	if s.isNew {
		return "cookiestore.Session(new, redacted)"
	}
	return "cookiestore.Session(redacted)"
}

// GoString is redacted like String.
func (s Session[T]) GoString() string { return s.String() }

// MarshalText is redacted like String, for encoders that use it.
func (s Session[T]) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON is redacted like String, as a JSON string: encode
// s.Data to encode the data.
func (s Session[T]) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }
