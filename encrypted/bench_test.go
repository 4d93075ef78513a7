package encrypted_test

import (
	"bytes"
	"testing"

	"github.com/crumbkit/crumb/encrypted"
)

// BenchmarkOpen opens one 200-byte value over and over, as a server
// opens an unchanged session cookie on every request, with the Open
// cache off and on (the default), in one run so the two compare:
//
//	go test -run '^$' -bench Open -benchmem ./encrypted
func BenchmarkOpen(b *testing.B) {
	for _, c := range []struct {
		name string
		s    *encrypted.Sealer
	}{
		{"cache-off", encrypted.New(ring(b, 1), clock(t0), encrypted.WithOpenCache(0))},
		{"cache-on", encrypted.New(ring(b, 1), clock(t0))},
	} {
		v, err := c.s.Seal("session", bytes.Repeat([]byte("p"), 200), t1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			// Not b.Loop: TinyGo builds these tests with Go 1.23's testing.
			for range b.N {
				if _, err := c.s.Open("session", v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
