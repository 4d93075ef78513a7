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
	sealed := map[[2]string]bool{}
	names := []string{"sid", "__Host-session", "a"}
	for i, name := range names {
		for _, p := range []string{"", `{"uid":42}`, "\x00\xff"} {
			v, err := s.Seal(name, []byte(p), t1)
			if err != nil {
				f.Fatal(err)
			}
			sealed[[2]string{name, v}] = true
			f.Add(name, v)
			f.Add(names[(i+1)%len(names)], v)
		}
	}
	f.Add("sid", "")
	f.Add("sid", "BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, name, value string) {
		o, err := s.Open(name, value)
		if err != nil {
			if vectors.ErrorName(err) == "" {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if !sealed[[2]string{name, value}] {
			t.Fatalf("forgery accepted: Open(%q, %q) = %q", name, value, o.Payload)
		}
	})
}
