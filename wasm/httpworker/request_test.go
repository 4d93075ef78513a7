package httpworker

import (
	"testing"

	"github.com/crumbkit/crumb/wasm"
)

// TestRemoteAddr: a client-sent Cf-Connecting-Ip is not trusted unless
// the worker is configured to, and IPv6 comes out in brackets, so that
// net.SplitHostPort reads it.
func TestRemoteAddr(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		values []string
		want   string
	}{
		{"untrusted header ignored", "", []string{"203.0.113.7"}, ""},
		{"trusted IPv4", "Cf-Connecting-Ip", []string{"203.0.113.7"}, "203.0.113.7:0"},
		{"trusted IPv6 bracketed", "Cf-Connecting-Ip", []string{"2001:db8::1"}, "[2001:db8::1]:0"},
		{"not an address", "Cf-Connecting-Ip", []string{"evil.example"}, ""},
		{"two addresses joined", "Cf-Connecting-Ip", []string{"203.0.113.7, 198.51.100.1"}, ""},
		{"missing", "Cf-Connecting-Ip", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &wasm.Request{Method: "GET", URL: "https://example.com/x"}
			for _, v := range tc.values {
				req.Header = append(req.Header, wasm.Field{Name: "cf-connecting-ip", Value: v})
			}
			r, err := newRequest(req, Options{ClientIPHeader: tc.header})
			if err != nil {
				t.Fatal(err)
			}
			if r.RemoteAddr != tc.want {
				t.Errorf("RemoteAddr %q, want %q", r.RemoteAddr, tc.want)
			}
		})
	}
}
