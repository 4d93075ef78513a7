package signed_test

import (
	"testing"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/vectors"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
)

func fuzzOpen(f *testing.F, s crumb.Sealer) {
	vectors.FuzzOpen(f, s, t1, "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
}

func FuzzOpenHMAC(f *testing.F) {
	fuzzOpen(f, signed.New(ring(f, 1, 2), clock(t0)))
}

func FuzzOpenEd448(f *testing.F) {
	fuzzOpen(f, signed.NewPublic(privRing(f, ed448.Scheme(), 1, 2), clock(t0)))
}

func FuzzOpenEd25519(f *testing.F) {
	fuzzOpen(f, signed.NewPublic(privRing(f, ed25519.Scheme(), 1, 2), clock(t0)))
}
