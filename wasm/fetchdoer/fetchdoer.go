//go:build js && wasm

package fetchdoer

import (
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"strconv"

	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/worker"
)

// Doer implements kvstore.Doer with the runtime's fetch. The zero value
// is ready to use.
type Doer struct {
	// MaxResponseBody caps a response body, enforced while it streams
	// in; worker.DefaultMaxResponseBody (4 MiB) when zero. Raise it for
	// a store whose values are larger (Cloudflare KV allows 25 MiB).
	// Over it, Do returns an error wrapping worker.ErrResponseTooLarge.
	MaxResponseBody int64
}

// Do sends req and returns the whole response, its body buffered. The
// request's context bounds the call.
func (d Doer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	wr := &wasm.Request{Method: req.Method, URL: req.URL.String(), Body: body}
	for k, vs := range req.Header {
		for _, v := range vs {
			wr.Header = append(wr.Header, wasm.Field{Name: k, Value: v})
		}
	}
	r, err := worker.Fetcher{MaxResponseBody: d.MaxResponseBody}.Fetch(req.Context(), wr)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(r.Header))
	for _, f := range r.Header {
		k := textproto.CanonicalMIMEHeaderKey(f.Name)
		h[k] = append(h[k], f.Value)
	}
	return &http.Response{
		Status:        strconv.Itoa(r.Status) + " " + http.StatusText(r.Status),
		StatusCode:    r.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(r.Body)),
		ContentLength: int64(len(r.Body)),
		Request:       req,
	}, nil
}
