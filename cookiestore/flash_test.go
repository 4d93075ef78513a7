package cookiestore_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestFlashesComplete: all incoming flash keys and their typed values
// can be listed; non-string values are never skipped; ReflashExcept
// keeps all but some keys; FlashForm leaves out the named fields.
func TestFlashesComplete(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	form := url.Values{"email": {"ada@example.com"}, "password": {"hunter2"}, "tags": {"a", "b"}}
	e.request(func(s *cookiestore.Session[account]) {
		s.Flash("notice", "saved")
		s.Flash("count", 3)
		s.Flash("count", 4)
		s.Flash("error", map[string]string{"field": "email"})
		s.FlashForm("form", form, "password")
	})
	e.request(func(s *cookiestore.Session[account]) {
		if got := s.FlashKeys(); !reflect.DeepEqual(got, []string{"count", "error", "form", "notice"}) {
			t.Fatalf("FlashKeys %q", got)
		}
		if got := s.Flashes("count"); !reflect.DeepEqual(got, []string{"3", "4"}) {
			t.Fatalf("Flashes of numbers %q, want them as text", got)
		}
		all, err := cookiestore.AllFlashes[any](s)
		if err != nil || all["notice"][0] != "saved" || all["count"][1] != 4.0 || all["error"][0].(map[string]any)["field"] != "email" {
			t.Fatalf("AllFlashes: %v %v", all, err)
		}
		if _, err := cookiestore.AllFlashes[string](s); !errors.Is(err, cookiestore.ErrCodec) {
			t.Fatalf("AllFlashes[string] over numbers: %v, want ErrCodec", err)
		}
		old, err := s.FlashedForm("form")
		if err != nil || old["email"][0] != "ada@example.com" || len(old["tags"]) != 2 || old["password"] != nil {
			t.Fatalf("FlashedForm %v %v", old, err)
		}
		s.ReflashExcept("form", "count")
	})
	e.request(func(s *cookiestore.Session[account]) {
		if got := s.FlashKeys(); !reflect.DeepEqual(got, []string{"error", "notice"}) {
			t.Fatalf("after ReflashExcept: %q", got)
		}
	})
	e.request(func(s *cookiestore.Session[account]) {
		if len(s.FlashKeys()) != 0 {
			t.Fatalf("flashes outlived their request: %q", s.FlashKeys())
		}
	})
}

// TestFlashedFormAfterNull: a flash under the form's key that decodes
// to a nil map (a null, such as s.Flash(key, nil)) merges with the
// forms after it instead of panicking on a nil map.
func TestFlashedFormAfterNull(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	e.request(func(s *cookiestore.Session[account]) {
		s.Flash("form", nil)
		s.FlashForm("form", url.Values{"email": {"ada@example.com"}})
	})
	e.request(func(s *cookiestore.Session[account]) {
		old, err := s.FlashedForm("form")
		if err != nil || len(old["email"]) != 1 || old["email"][0] != "ada@example.com" {
			t.Fatalf("FlashedForm %v %v", old, err)
		}
	})
}
