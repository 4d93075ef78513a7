package wasm_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/wasm"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, req := range []*wasm.Request{
		{Method: "GET", URL: "https://example.com/"},
		{Method: "POST", URL: "https://example.com/a?b=c", Header: wasm.Header{{"cookie", "a=1; b=2"}, {"x-empty", ""}, {"x-colon", "a:b: c"}}, Body: []byte("\n\nbody\x00\xff")},
	} {
		b, err := wasm.AppendRequest(nil, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := wasm.DecodeRequest(b)
		if err != nil {
			t.Fatal(err)
		}
		if got.Method != req.Method || got.URL != req.URL || len(got.Header) != len(req.Header) || !bytes.Equal(got.Body, req.Body) {
			t.Fatalf("round trip: %+v, want %+v", got, req)
		}
		for i := range req.Header {
			if got.Header[i] != req.Header[i] {
				t.Fatalf("header %d: %+v, want %+v", i, got.Header[i], req.Header[i])
			}
		}
	}
	resp := &wasm.Response{Status: 302, Header: wasm.Header{{"location", "/login"}, {"set-cookie", "a=1"}, {"set-cookie", "b=2"}}, Body: []byte("x")}
	b, err := wasm.AppendResponse(nil, resp)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "302\nlocation:/login\nset-cookie:a=1\nset-cookie:b=2\n\nx" {
		t.Fatalf("response frame %q", b)
	}
	got, err := wasm.DecodeResponse(b)
	if err != nil || got.Status != 302 || len(got.Header.Values("Set-Cookie")) != 2 || string(got.Body) != "x" {
		t.Fatalf("decode: %+v %v", got, err)
	}
	fw := &wasm.Response{
		Forward: &wasm.Forward{Method: "GET", URL: "http://origin/x", Header: wasm.Header{{"x-crumb-user", "alice"}}},
		Header:  wasm.Header{{"set-cookie", "s=v"}},
	}
	b, err = wasm.AppendResponse(nil, fw)
	if err != nil || string(b) != "F GET http://origin/x\nx-crumb-user:alice\n\nset-cookie:s=v\n\n" {
		t.Fatalf("forward frame %q %v", b, err)
	}
	for _, tc := range []struct {
		cache wasm.Cache
		first string
	}{
		{wasm.CacheAsIs, "F GET http://origin/x\n"},
		{wasm.CacheVaryCookie, "F GET http://origin/x vary-cookie\n"},
		{wasm.CachePrivate, "F GET http://origin/x private\n"},
		{wasm.CacheNoStore, "F GET http://origin/x no-store\n"},
	} {
		fw.Forward.Cache = tc.cache
		b, err = wasm.AppendResponse(nil, fw)
		if err != nil || !strings.HasPrefix(string(b), tc.first) || !strings.HasSuffix(string(b), "\nx-crumb-user:alice\n\nset-cookie:s=v\n\n") {
			t.Errorf("forward frame with cache %d: %q %v", tc.cache, b, err)
		}
	}
}

func TestFrameRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		resp *wasm.Response
	}{
		{"CRLF in a value", &wasm.Response{Status: 200, Header: wasm.Header{{"x", "a\r\nset-cookie: evil=1"}}}},
		{"LF in a value", &wasm.Response{Status: 200, Header: wasm.Header{{"x", "a\nb"}}}},
		{"NUL in a value", &wasm.Response{Status: 200, Header: wasm.Header{{"x", "a\x00"}}}},
		{"colon in a name", &wasm.Response{Status: 200, Header: wasm.Header{{"x:y", "a"}}}},
		{"empty name", &wasm.Response{Status: 200, Header: wasm.Header{{"", "a"}}}},
		{"status 0", &wasm.Response{}},
		{"status 101", &wasm.Response{Status: 101}},
		{"status 600", &wasm.Response{Status: 600}},
		{"space in a forward URL", &wasm.Response{Forward: &wasm.Forward{Method: "GET", URL: "http://o/a b"}}},
		{"bad forward method", &wasm.Response{Forward: &wasm.Forward{Method: "G ET", URL: "http://o/"}}},
		{"unknown forward cache", &wasm.Response{Forward: &wasm.Forward{Method: "GET", URL: "http://o/", Cache: wasm.CacheNoStore + 1}}},
		{"bad forward header", &wasm.Response{Forward: &wasm.Forward{Method: "GET", URL: "http://o/", Header: wasm.Header{{"x", "\n"}}}}},
	} {
		if _, err := wasm.AppendResponse(nil, tc.resp); !errors.Is(err, wasm.ErrHeader) {
			t.Errorf("%s: %v, want ErrHeader", tc.name, err)
		}
	}
	for _, frame := range []string{"", "GET", "GET /\n", "GET /\nx:1\n", "GET\n\n", " /\n\n", "GET /\nnocolon\n\n", "GET /\n:v\n\n"} {
		if _, err := wasm.DecodeRequest([]byte(frame)); !errors.Is(err, wasm.ErrFrame) {
			t.Errorf("DecodeRequest(%q): %v, want ErrFrame", frame, err)
		}
	}
	for _, frame := range []string{"", "200", "20\n\n", "abc\n\n", "199\n\n", "600\n\n", "200\nx\n\n"} {
		if _, err := wasm.DecodeResponse([]byte(frame)); !errors.Is(err, wasm.ErrFrame) {
			t.Errorf("DecodeResponse(%q): %v, want ErrFrame", frame, err)
		}
	}
}

func TestHeader(t *testing.T) {
	h := wasm.Header{{"Set-Cookie", "a"}, {"x", "1"}, {"set-cookie", "b"}}
	if h.Get("SET-COOKIE") != "a" || len(h.Values("set-cookie")) != 2 {
		t.Fatal("case-insensitive lookup")
	}
	h.Set("X", "2")
	h.Del("set-cookie")
	if len(h) != 1 || h[0] != (wasm.Field{"X", "2"}) {
		t.Fatalf("after Set and Del: %v", h)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte("GET https://e/\ncookie:a=1\n\nbody"))
	f.Add([]byte("F GET x\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := wasm.DecodeRequest(b)
		if err != nil {
			return
		}
		// What decodes re-encodes, unless it holds bytes the encoder
		// refuses; and what re-encodes decodes to the same request.
		out, err := wasm.AppendRequest(nil, r)
		if err != nil {
			return
		}
		r2, err := wasm.DecodeRequest(out)
		if err != nil || r2.Method != r.Method || r2.URL != r.URL || len(r2.Header) != len(r.Header) || !bytes.Equal(r2.Body, r.Body) {
			t.Fatalf("re-decode: %+v %v", r2, err)
		}
	})
}
