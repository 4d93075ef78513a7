//go:build !tinygo

// These tests check that constructors panic on a programming error, and
// catch the panic with recover. TinyGo has no working recover on wasm
// targets (a panic ends the instance), so `tinygo test -target=wasip1`
// leaves them out; stock Go runs them.

package unsigned_test

import (
	"testing"

	"github.com/crumbkit/crumb/unsigned"
)

func TestNilValidatorPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(nil) did not panic")
		}
	}()
	unsigned.New(nil)
}
