//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestSessionInfoRedacted: what a Revoker receives prints neither the
// session ID nor the user, whatever the verb or logger.
func TestSessionInfoRedacted(t *testing.T) {
	const id, user = "fLKOjbJ2DQj-mUicef6kUeVQ3an0jPdbz3PRhxjXJrE", "ada@example.com"
	s := cookiestore.SessionInfo{ID: id, User: user, Created: time.Unix(1_900_000_000, 0), End: time.Unix(1_900_003_600, 0)}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%T %v"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, &s), fmt.Sprintf(verb, []cookiestore.SessionInfo{s}))
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("check", "session", s)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("check", "session", s)
	out = append(out, buf.String())
	for _, o := range out {
		for _, secret := range []string{id, user, "ada", id[:10]} {
			if strings.Contains(o, secret) {
				t.Fatalf("%q shows the session ID or the user", o)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(s), "Created:1900000000") {
		t.Fatalf("the redacted form lost the times: %v", s)
	}
}
