package signed_test

import (
	"testing"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/vectors"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/signed"
)

// fuzzOpen is the body of every authenticated-sealer fuzz target: Open
// must not panic, must fail with one of crumb's sentinels, and must
// accept nothing but a value that was sealed for that very name.
func fuzzOpen(f *testing.F, s crumb.Sealer) {
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
	f.Add("sid", "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
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

func FuzzOpenHMAC(f *testing.F) {
	fuzzOpen(f, signed.New(ring(f, 1, 2), clock(t0)))
}

func FuzzOpenEd448(f *testing.F) {
	fuzzOpen(f, signed.NewPublic(privRing(f, keys.Ed448(), 1, 2), clock(t0)))
}

func FuzzOpenEd25519(f *testing.F) {
	fuzzOpen(f, signed.NewPublic(privRing(f, ed25519.Scheme(), 1, 2), clock(t0)))
}
