//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestSessionPrintsRedacted: no verb of fmt, no slog handler and no
// encoder prints a session's ID or data.
func TestSessionPrintsRedacted(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	e.request(func(s *cookiestore.Session[account]) {
		s.Data.Email = "secret@example.com"
		s.Flash("f", "flash-secret")
	})
	s, err := e.store.LoadHeader(t.Context(), e.header())
	if err != nil {
		t.Fatal(err)
	}
	id := s.ID()
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%10.3v", "%t", "%p"} {
		if verb == "%p" {
			continue // an address
		}
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, []any{s}))
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "session", s, "value", *s)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "session", s, "value", *s)
	out = append(out, buf.String())
	j, _ := json.Marshal(map[string]any{"s": s})
	out = append(out, string(j))
	for _, o := range out {
		for _, secret := range []string{id, "secret@example.com", "flash-secret", id[:12]} {
			if strings.Contains(o, secret) {
				t.Fatalf("printed session shows a secret: %s", o)
			}
		}
	}
	if got := fmt.Sprintf("%+v", s); got != "cookiestore.Session(redacted)" {
		t.Fatalf("%%+v: %q", got)
	}
}
