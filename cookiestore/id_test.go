package cookiestore_test

import (
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestIDPersistsNewSession: the ID read on a new session (to bind a
// CSRF token on a login page) is the ID the next request loads, even
// with zero Data; reading a loaded session's ID saves nothing.
func TestIDPersistsNewSession(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	var id string
	lines, _ := e.request(func(s *cookiestore.Session[account]) { id = s.ID() })
	if len(lines) != 1 {
		t.Fatalf("new session whose ID was read: %q, want it saved", lines)
	}
	lines, _ = e.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.ID() != id {
			t.Fatalf("next request: new=%v, same ID %v", s.IsNew(), s.ID() == id)
		}
	})
	if lines != nil {
		t.Fatalf("reading a loaded session's ID saved it: %q", lines)
	}
	// After Destroy the ID is a new one, and reading it saves it too.
	lines, _ = e.request(func(s *cookiestore.Session[account]) {
		s.Destroy()
		id = s.ID()
	})
	if len(lines) != 1 {
		t.Fatalf("destroyed, then ID read: %q", lines)
	}
	e.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.ID() != id {
			t.Fatal("the ID read after Destroy was not saved")
		}
	})
}
