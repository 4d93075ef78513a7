package httpworker

import (
	"bytes"
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/crumbkit/crumb/wasm"
)

// Options configures how requests are presented to the handler.
type Options struct {
	// ClientIPHeader names the request header that carries the client's
	// address, set by the platform in front of the worker and never
	// passed on from the client: "Cf-Connecting-Ip" on Cloudflare.
	// Request.RemoteAddr is built from it ("203.0.113.7:0",
	// "[2001:db8::1]:0"); a value that is not one IP address leaves
	// RemoteAddr empty. When empty (the default) no header is trusted
	// and RemoteAddr is empty: outside Cloudflare (workerd on its own,
	// another runtime) any client can send Cf-Connecting-Ip, and a
	// handler that rate-limits or logs by RemoteAddr would believe it.
	ClientIPHeader string
}

// newRequest turns the bridge's request into a server-side
// *http.Request: RequestURI set, Host from the URL (the runtime has
// already routed on it), RemoteAddr only from o.ClientIPHeader.
func newRequest(req *wasm.Request, o Options) (*http.Request, error) {
	r, err := http.NewRequestWithContext(context.Background(), req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return nil, err
	}
	for _, f := range req.Header {
		r.Header.Add(f.Name, f.Value)
	}
	r.RequestURI = r.URL.RequestURI()
	r.Host = r.URL.Host
	r.ContentLength = int64(len(req.Body))
	r.RemoteAddr = ""
	if o.ClientIPHeader != "" {
		r.RemoteAddr = remoteAddr(r.Header.Values(o.ClientIPHeader))
	}
	return r, nil
}

// remoteAddr returns host:port with port 0 for exactly one IP address
// (IPv6 in brackets, as net/http's server writes it), "" otherwise: a
// header sent twice, or joined from two ("a, b"), is not one address.
func remoteAddr(vs []string) string {
	if len(vs) != 1 {
		return ""
	}
	a, err := netip.ParseAddr(strings.TrimSpace(vs[0]))
	if err != nil {
		return ""
	}
	return netip.AddrPortFrom(a, 0).String()
}
