package encrypted_test

import (
	"bytes"
	"testing"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/internal/vectors"
)

// FuzzOpenEncrypted: Open never panics, fails only with crumb's
// sentinels, and accepts nothing but a value sealed for that name.
func FuzzOpenEncrypted(f *testing.F) {
	// Deterministic randomness: the fuzzing engine reruns this setup
	// in each worker process, and every worker must know the same
	// sealed values.
	var stream []byte
	for i := range 16 {
		stream = append(stream, material("fuzz rand", i, 64)...)
	}
	rnd := bytes.NewReader(stream)
	s := encrypted.New(ring(f, 1, 2), clock(t0), crumb.WithRand(rnd))
	vectors.FuzzOpen(f, s, t1, "BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
}
