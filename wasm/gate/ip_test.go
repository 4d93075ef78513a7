package gate

import (
	"net/netip"
	"testing"
)

// FuzzIsIP checks the hand-written address check against net/netip.
func FuzzIsIP(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "::1", "2001:db8::1", "::ffff:1.2.3.4", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "fe80::1%eth0", "01.2.3.4", "1.2.3", ":1", "1:", "::", "a:b:c:d:e:f:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Zone() == ""
		if got := isIP(s); got != want {
			t.Fatalf("isIP(%q) = %v, netip says %v", s, got, want)
		}
	})
}
