//go:build !crumb_nohttp

package kvstore

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Doer sends an HTTP request. *http.Client implements it; an edge build
// plugs in the runtime's fetch through an adapter with this shape. A Doer
// must honour the request's context.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// DefaultTimeout bounds a whole request (connect, send, read) made by
// the client NewClient returns. The request context may shorten it.
const DefaultTimeout = 5 * time.Second

// transportErr classifies an error from Doer.Do without keeping its
// text when that text may hold the URL (which holds the key).
func transportErr(store, op string, ctx context.Context, err error) error {
	if e := ctxErr(store, op, ctx); e != nil {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error's text names the URL, and so the key
	}
	kind := ErrUnavailable
	if isTimeout(err) {
		kind = ErrTimeout
	}
	detail := "transport error"
	var op2 *net.OpError
	switch {
	case errors.As(err, &op2):
		detail = op2.Error() // "dial tcp 127.0.0.1:1: connect: connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		detail = "connection closed by the store"
	case kind == ErrTimeout:
		detail = "transport timeout"
	}
	e := newErr(store, op, kind, 0, detail)
	e.cause = err
	return e
}

// readBody reads at most limit bytes of a response body; more is
// ErrTooLarge. A read cut short by the context is ErrTimeout.
func readBody(store, op string, ctx context.Context, resp *http.Response, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, transportErr(store, op, ctx, err)
	}
	if int64(len(b)) > limit {
		return nil, newErr(store, op, ErrTooLarge, resp.StatusCode, "response larger than the configured limit")
	}
	return b, nil
}

// drain lets the connection be reused, reading a bounded amount.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// retryRead runs a read up to 1+retries times while it fails with
// ErrUnavailable (a reset keep-alive connection, a Redis restarting),
// pausing briefly between tries and never past the context.
func retryRead[T any](ctx context.Context, retries int, f func() (T, error)) (T, error) {
	for i := 0; ; i++ {
		v, err := f()
		if err == nil || i >= retries || !errors.Is(err, ErrUnavailable) {
			return v, err
		}
		t := time.NewTimer(time.Duration(20*(i+1)) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
	}
}

// request is one HTTP exchange with a store.
type request struct {
	store, op   string
	method, url string
	body        []byte
	contentType string
	auth        func(*http.Request)
	limit       int64 // largest response body accepted
}

// do sends r and returns the status and the whole (bounded) body.
func do(ctx context.Context, client Doer, r request) (int, []byte, error) {
	var body io.Reader
	if r.body != nil {
		body = bytesReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		// The URL was built from a validated base and an encoded key, so
		// this is a bug, not bad input; the error text would hold the URL.
		return 0, nil, newErr(r.store, r.op, ErrProtocol, 0, "cannot build request")
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.auth != nil {
		r.auth(req)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, transportErr(r.store, r.op, ctx, err)
	}
	defer drain(resp)
	b, err := readBody(r.store, r.op, ctx, resp, r.limit)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, b, nil
}

// isTimeout reports whether the first error in err's chain that has a
// Timeout method (a net.Error) says it is a timeout. It walks the chain
// itself: errors.As with an interface target needs reflect's
// AssignableTo, which TinyGo does not implement (it panics, ending an
// edge worker's instance on a store that is down).
func isTimeout(err error) bool {
	for err != nil {
		if t, ok := err.(interface{ Timeout() bool }); ok {
			return t.Timeout()
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if isTimeout(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
