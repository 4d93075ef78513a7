//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// TestEvents: each lifecycle step reports its event once, and the
// events logged through log/slog carry no ID or data.
func TestEvents(t *testing.T) {
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logBuf, nil))
	var got []string
	onEvent := func(ctx context.Context, e cookiestore.Event) {
		got = append(got, e.Kind.String())
		logger.InfoContext(ctx, "session", "event", e)
	}
	old := ring(t)
	e := newEnv(t, old, cookiestore.Options[account]{OnEvent: onEvent})
	step := func(name string, want []string, fn func(s *cookiestore.Session[account])) {
		t.Helper()
		got = nil
		e.request(fn)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: events %q, want %q", name, got, want)
		}
	}
	var id string
	step("untouched new", nil, nil)
	step("created", []string{"created"}, func(s *cookiestore.Session[account]) { s.Data.Email = "secret@example.com"; id = s.ID() })
	step("unchanged", nil, nil)
	e.clk.Advance(7 * time.Hour)
	step("renewed", []string{"renewed"}, nil)
	step("regenerated", []string{"regenerated"}, func(s *cookiestore.Session[account]) { s.Regenerate(); id = s.ID() })

	// The key rotates: the next request re-seals under the new primary.
	k, err := keys.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := old.Rotate(k, 2)
	if err != nil {
		t.Fatal(err)
	}
	e.store, err = cookiestore.New(encrypted.New(rotated, crumb.WithClock(e.clk.Now)), cookiestore.Options[account]{Now: e.clk.Now, OnEvent: onEvent})
	if err != nil {
		t.Fatal(err)
	}
	step("rotated", []string{"rotated"}, nil)
	step("destroyed", []string{"destroyed"}, func(s *cookiestore.Session[account]) { s.Destroy() })
	step("destroyed, then new data", []string{"created"}, func(s *cookiestore.Session[account]) { s.Data.Email = "b" })
	step("destroyed with new data", []string{"destroyed", "created"}, func(s *cookiestore.Session[account]) { s.Destroy(); s.Data.Email = "c" })

	e.jar["__Host-session"] = flipChar(e.jar["__Host-session"], 40)
	step("refused", []string{"refused"}, nil)

	log := logBuf.String()
	if !strings.Contains(log, `"kind":"refused","reason":"cookiestore: load: invalid session cookie`) || !strings.Contains(log, `"kind":"created"`) {
		t.Fatalf("slog output lacks the events: %s", log)
	}
	for _, secret := range []string{id, "secret@example.com"} {
		if strings.Contains(log, secret) {
			t.Fatalf("slog output shows a secret: %s", log)
		}
	}
}

// TestBeforeSave: the hook runs before each save, its changes are
// saved, and its error stops the save without its text.
func TestBeforeSave(t *testing.T) {
	calls := 0
	e := newEnv(t, ring(t), cookiestore.Options[account]{BeforeSave: func(_ context.Context, s *cookiestore.Session[account]) error {
		calls++
		if s.Data.Email == "refuse" {
			return errors.New("refusing secret-value")
		}
		s.Data.Failed = 42
		return nil
	}})
	e.request(nil)
	if calls != 0 {
		t.Fatal("BeforeSave ran for a session that was not saved")
	}
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
	e.request(func(s *cookiestore.Session[account]) {
		if s.Data.Failed != 42 {
			t.Fatalf("BeforeSave's change not saved: %+v", s.Data)
		}
	})
	if calls != 1 {
		t.Fatalf("BeforeSave ran %d times, want once", calls)
	}
	s, _ := e.store.LoadHeader(context.Background(), e.header())
	s.Data.Email = "refuse"
	lines, err := e.store.Commit(context.Background(), s)
	if !errors.Is(err, cookiestore.ErrRejected) || lines != nil || strings.Contains(err.Error(), "secret-value") {
		t.Fatalf("refused save: %v %q", err, lines)
	}
}
