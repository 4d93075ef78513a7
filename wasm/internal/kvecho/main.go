//go:build js && wasm

// Command kvecho is the test module for package kvbinding: it exposes a
// KV namespace binding's Store operations over HTTP, so wasm's tests can
// drive the store running in workerd (under miniflare) from Go.
//
//	GET  /get?b=BINDING&k=KEY            the value, or the error's kind
//	POST /set?b=BINDING&k=KEY&ttl=SECS   body = value
//	POST /del?b=BINDING&k=KEY
//	POST /touch?b=BINDING&k=KEY, /setifexists and /setifabsent (as /set)
//
// An error answers with a status per kvstore sentinel (404 ErrNotFound,
// 400 ErrBadKey, 422 ErrBadTTL, 501 errors.ErrUnsupported, 413 ErrTooLarge, 503 ErrUnavailable, 504
// ErrTimeout, 500 anything else) and the error's text.
package main

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/kvbinding"
	"github.com/crumbkit/crumb/wasm/worker"
)

func main() {
	worker.Serve(wasm.HandlerFunc(serve), worker.Options{Body: true, Async: true})
}

func serve(req *wasm.Request) *wasm.Response {
	u, err := url.Parse(req.URL)
	if err != nil {
		return text(400, "bad url")
	}
	q := u.Query()
	store, err := kvbinding.New(q.Get("b"))
	if err != nil {
		return text(424, err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if q.Get("expired") == "1" {
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel()
	}
	key := q.Get("k")
	switch u.Path {
	case "/get":
		v, err := store.Get(ctx, key)
		if err != nil {
			return failure(err)
		}
		return &wasm.Response{Status: 200, Body: v}
	case "/set":
		secs, _ := strconv.ParseFloat(q.Get("ttl"), 64)
		if err := store.Set(ctx, key, req.Body, time.Duration(secs*float64(time.Second))); err != nil {
			return failure(err)
		}
		return text(204, "")
	case "/touch":
		if err := store.Touch(ctx, key, time.Hour); err != nil {
			return failure(err)
		}
		return text(204, "")
	case "/setifexists", "/setifabsent":
		f := store.SetIfExists
		if u.Path == "/setifabsent" {
			f = store.SetIfAbsent
		}
		secs, _ := strconv.ParseFloat(q.Get("ttl"), 64)
		ok, err := f(ctx, key, req.Body, time.Duration(secs*float64(time.Second)))
		if err != nil {
			return failure(err)
		}
		return text(200, strconv.FormatBool(ok))
	case "/del":
		if err := store.Delete(ctx, key); err != nil {
			return failure(err)
		}
		return text(204, "")
	}
	return text(404, "no such operation")
}

func failure(err error) *wasm.Response {
	var ke *kvstore.Error
	if !errors.As(err, &ke) {
		return text(500, "not a *kvstore.Error: "+err.Error())
	}
	status := 500
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		status = 404
	case errors.Is(err, kvstore.ErrBadKey):
		status = 400
	case errors.Is(err, kvstore.ErrBadTTL):
		status = 422
	case errors.Is(err, kvstore.ErrTooLarge):
		status = 413
	case errors.Is(err, errors.ErrUnsupported):
		status = 501
	case errors.Is(err, kvstore.ErrUnavailable):
		status = 503
	case errors.Is(err, kvstore.ErrTimeout):
		status = 504
		if !errors.Is(err, context.DeadlineExceeded) {
			return text(500, "timeout without ctx.Err(): "+err.Error())
		}
	}
	return text(status, strings.TrimSpace(err.Error()))
}

func text(status int, body string) *wasm.Response {
	return &wasm.Response{Status: status, Header: wasm.Header{{Name: "content-type", Value: "text/plain"}}, Body: []byte(body)}
}
