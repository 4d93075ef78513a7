//go:build !tinygo

// encoding/json reports an unencodable value by panicking and
// recovering inside Marshal. TinyGo has no recover on wasm, so there the
// panic ends the whole test binary: `tinygo test` leaves this file out
// (and edge builds use a reflection-free Codec, see docs/edge.md).

package cookiestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// TestUnencodableFlash: a flash the Codec cannot encode fails Commit
// with ErrCodec.
func TestUnencodableFlash(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	s, _ := e.store.LoadHeader(context.Background(), "")
	s.Flash("bad", make(chan int))
	if _, err := e.store.Commit(context.Background(), s); !errors.Is(err, cookiestore.ErrCodec) {
		t.Fatalf("unencodable flash: %v", err)
	}
}

// TestBeforeSaveFlashThatDoesNotEncode: a flash BeforeSave adds that
// does not encode fails the save (ErrCodec) rather than vanish.
func TestBeforeSaveFlashThatDoesNotEncode(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{BeforeSave: beforeSaveFlash})
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "stamp" })
	s, _ := e.store.LoadHeader(context.Background(), e.header())
	s.Data.Email = "bad"
	lines, err := e.store.Commit(context.Background(), s)
	if !errors.Is(err, cookiestore.ErrCodec) || lines != nil {
		t.Fatalf("flash that does not encode, added by BeforeSave: %v %q; want ErrCodec and no lines", err, lines)
	}
}
