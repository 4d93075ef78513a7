//go:build !tinygo

// These tests check that constructors panic on a programming error, and
// catch the panic with recover. TinyGo has no working recover on wasm
// targets (a panic ends the instance), so `tinygo test -target=wasip1`
// leaves them out; stock Go runs them.

package signed_test

import (
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/signed"
)

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"New(nil)":         func() { signed.New(nil) },
		"NewPublic(nil)":   func() { signed.NewPublic(nil) },
		"NewVerifier(nil)": func() { signed.NewVerifier(nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestNewRefusesAnEmptyRing: a zero Ring is a programming error, caught
// in New rather than as a nil dereference in the first Seal.
func TestNewRefusesAnEmptyRing(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("New accepted a zero Ring")
		}
	}()
	signed.New(&keys.Ring{})
}
