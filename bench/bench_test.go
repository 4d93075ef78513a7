package bench

import "testing"

// benchmarks exposes every Case to go test -bench, with names such as
// BenchmarkCases/seal-open/crumb_encrypted_(AES-256-GCM)/seal.
func BenchmarkCases(b *testing.B) {
	k, err := NewKeys()
	if err != nil {
		b.Fatal(err)
	}
	cs, err := Cases(k)
	if err != nil {
		b.Fatal(err)
	}
	sc, _, err := StoreCases(k)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range append(cs, sc...) {
		b.Run(string(c.Section)+"/"+c.Subject+"/"+c.Op, c.F)
	}
}
