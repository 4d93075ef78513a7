//go:build js && wasm

// Command echo is the test module for the worker bridge: it echoes what
// crossed from JavaScript, seals and opens cookies, forwards, fetches and
// panics on demand. wasm's tests build it and serve it in workerd.
package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	ring := worker.Getenv("CRUMB_KEYS")
	hmac, err1 := wasm.NewSymmetricSealer(wasm.ModeHMAC, ring)
	enc, err2 := wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring)
	if err1 != nil || err2 != nil {
		panic("echo: CRUMB_KEYS does not parse")
	}
	e := &echo{hmac: hmac, enc: enc, origin: worker.Getenv("ORIGIN")}
	worker.Serve(e, worker.Options{Body: true, Async: worker.Getenv("ASYNC") == "1"})
}

type echo struct {
	hmac, enc crumb.Sealer
	origin    string
}

func path(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
		if j := strings.IndexByte(url, '/'); j >= 0 {
			return url[j:]
		}
		return "/"
	}
	return url
}

// cookie returns the value of the named cookie in the Cookie header.
func cookie(h wasm.Header, name string) string {
	for _, c := range h.Values("cookie") {
		for _, part := range strings.Split(c, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if k == name {
				return v
			}
		}
	}
	return ""
}

func text(status int, body string) *wasm.Response {
	return &wasm.Response{Status: status, Header: wasm.Header{{Name: "content-type", Value: "text/plain"}}, Body: []byte(body)}
}

func (e *echo) ServeEdge(req *wasm.Request) *wasm.Response {
	p := path(req.URL)
	switch {
	case strings.HasPrefix(p, "/echo"):
		frame, err := wasm.AppendRequest(nil, req)
		if err != nil {
			return text(500, "request does not re-encode")
		}
		return &wasm.Response{Status: 200, Header: wasm.Header{
			{Name: "content-type", Value: "application/octet-stream"},
			{Name: "set-cookie", Value: "a=1; Path=/; HttpOnly"},
			{Name: "set-cookie", Value: "b=2; Path=/; Expires=Wed, 21 Oct 2065 07:28:00 GMT"},
		}, Body: frame}
	case p == "/bench":
		// The edge bar's workload: verify an HMAC cookie, open and
		// re-seal an encrypted one, set two cookies.
		exp := time.Now().Add(time.Hour)
		h, err := e.hmac.Open("h", cookie(req.Header, "h"))
		if err != nil {
			h.Payload = []byte("anonymous")
		}
		var n byte
		if o, err := e.enc.Open("e", cookie(req.Header, "e")); err == nil && len(o.Payload) == 1 {
			n = o.Payload[0]
		}
		hv, err1 := e.hmac.Seal("h", h.Payload, exp)
		ev, err2 := e.enc.Seal("e", []byte{n + 1}, exp)
		if err1 != nil || err2 != nil {
			return text(500, "seal failed")
		}
		return &wasm.Response{Status: 200, Header: wasm.Header{
			{Name: "content-type", Value: "text/plain"},
			{Name: "set-cookie", Value: "h=" + hv + "; Path=/; HttpOnly"},
			{Name: "set-cookie", Value: "e=" + ev + "; Path=/; HttpOnly"},
		}, Body: append([]byte("count="), '0'+n%10)}
	case p == "/redirect":
		return &wasm.Response{Status: 303, Header: wasm.Header{{Name: "location", Value: "/login"}}}
	case p == "/nocontent":
		return &wasm.Response{Status: 204}
	case p == "/panic":
		panic("echo: asked to panic")
	case p == "/nil":
		return nil
	case p == "/badheader":
		return &wasm.Response{Status: 200, Header: wasm.Header{{Name: "x-bad", Value: "a\r\nset-cookie: evil=1"}}}
	case strings.HasPrefix(p, "/forward"):
		h := req.Header.Clone()
		h.Del("x-strip")
		h.Del("host")
		h.Add("x-forwarded-by", "crumb")
		return &wasm.Response{
			Forward: &wasm.Forward{Method: req.Method, URL: e.origin + p, Header: h},
			Header: wasm.Header{
				{Name: "set-cookie", Value: "fw=1; Path=/"},
				{Name: "set-cookie", Value: "origin=from-edge; Path=/"},
				{Name: "x-edge", Value: "1"},
			},
		}
	case p == "/fetch":
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := worker.Fetch(ctx, &wasm.Request{Method: "POST", URL: e.origin + "/fetched",
			Header: wasm.Header{{Name: "x-from", Value: "go"}}, Body: []byte("ping")})
		if err != nil {
			return text(502, err.Error())
		}
		out := &wasm.Response{Status: r.Status, Body: r.Body}
		for _, f := range r.Header {
			if f.Name == "set-cookie" || f.Name == "x-origin" {
				out.Header = append(out.Header, f)
			}
		}
		return out
	case strings.HasPrefix(p, "/fetch-big"):
		// /fetch-big?limit=N&... fetches the origin's /big?... with a
		// response body cap of N bytes (0: the default).
		var limit int64
		q := ""
		if i := strings.IndexByte(p, '?'); i >= 0 {
			q = p[i:]
			for _, kv := range strings.Split(p[i+1:], "&") {
				if v, ok := strings.CutPrefix(kv, "limit="); ok {
					limit, _ = strconv.ParseInt(v, 10, 64)
				}
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := worker.Fetcher{MaxResponseBody: limit}.Fetch(ctx, &wasm.Request{Method: "GET", URL: e.origin + "/big" + q})
		switch {
		case errors.Is(err, worker.ErrResponseTooLarge):
			return text(413, err.Error())
		case err != nil:
			return text(502, err.Error())
		}
		return text(200, strconv.Itoa(len(r.Body)))
	case p == "/sleep":
		// Tells the origin it is in flight, then outlives any client.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := worker.Fetch(ctx, &wasm.Request{Method: "GET", URL: e.origin + "/arrived"}); err != nil {
			return text(502, err.Error())
		}
		time.Sleep(10 * time.Minute)
		return text(200, "slept")
	case p == "/die":
		// A panic outside any handler's recover: the Go program exits
		// with requests in flight, this one included.
		go func() { panic("echo: asked to die") }()
		time.Sleep(10 * time.Minute)
		return text(200, "still alive")
	case p == "/fetch-refused":
		_, err := worker.Fetch(context.Background(), &wasm.Request{Method: "GET", URL: "http://127.0.0.1:1/secret-key-in-url"})
		if err == nil {
			return text(500, "fetch to a closed port succeeded")
		}
		return text(502, err.Error())
	}
	return text(404, "not found")
}
