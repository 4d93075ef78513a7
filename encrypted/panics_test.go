//go:build !tinygo

// These tests check that constructors panic on a programming error, and
// catch the panic with recover. TinyGo has no working recover on wasm
// targets (a panic ends the instance), so `tinygo test -target=wasip1`
// leaves them out; stock Go runs them.

package encrypted_test

import (
	"testing"

	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

func TestNilRingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(nil) did not panic")
		}
	}()
	encrypted.New(nil)
}

// TestNewRefusesAnEmptyRing: a zero Ring is a programming error, caught
// in New rather than as a nil dereference in the first Seal.
func TestNewRefusesAnEmptyRing(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("New accepted a zero Ring")
		}
	}()
	encrypted.New(&keys.Ring{})
}

// TestWithOpenCacheRange: a cache size outside [0, 2^20] is a
// programming error, refused by a panic.
func TestWithOpenCacheRange(t *testing.T) {
	for _, n := range []int{-1, 1<<20 + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("WithOpenCache(%d) did not panic", n)
				}
			}()
			encrypted.WithOpenCache(n)
		}()
	}
}
