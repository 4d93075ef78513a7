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
