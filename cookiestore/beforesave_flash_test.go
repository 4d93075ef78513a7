package cookiestore_test

import (
	"context"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestBeforeSaveFlash: a flash BeforeSave adds is saved like a change
// to Data (TestBeforeSaveFlashThatDoesNotEncode, in a file TinyGo
// leaves out, covers one that does not encode).
func TestBeforeSaveFlash(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{BeforeSave: beforeSaveFlash})
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "stamp" })
	e.request(func(s *cookiestore.Session[account]) {
		if got := s.Flashes("notice"); len(got) != 1 || got[0] != "saved" {
			t.Fatalf("flash added by BeforeSave: got %q, want [saved]", got)
		}
	})
}

// beforeSaveFlash flashes a value that encodes for the user "stamp" and
// one that does not (a func) for the user "bad".
func beforeSaveFlash(_ context.Context, s *cookiestore.Session[account]) error {
	switch s.Data.Email {
	case "stamp":
		s.Flash("notice", "saved")
	case "bad":
		s.Flash("notice", func() {})
	}
	return nil
}
