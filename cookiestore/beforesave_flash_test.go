package cookiestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestBeforeSaveFlash: a flash BeforeSave adds is saved like a change
// to Data, and one that does not encode fails the save (ErrCodec)
// rather than vanish.
func TestBeforeSaveFlash(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{BeforeSave: func(_ context.Context, s *cookiestore.Session[account]) error {
		switch s.Data.Email {
		case "stamp":
			s.Flash("notice", "saved")
		case "bad":
			s.Flash("notice", func() {})
		}
		return nil
	}})
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "stamp" })
	e.request(func(s *cookiestore.Session[account]) {
		if got := s.Flashes("notice"); len(got) != 1 || got[0] != "saved" {
			t.Fatalf("flash added by BeforeSave: got %q, want [saved]", got)
		}
	})

	s, _ := e.store.LoadHeader(context.Background(), e.header())
	s.Data.Email = "bad"
	lines, err := e.store.Commit(context.Background(), s)
	if !errors.Is(err, cookiestore.ErrCodec) || lines != nil {
		t.Fatalf("flash that does not encode, added by BeforeSave: %v %q; want ErrCodec and no lines", err, lines)
	}
}
