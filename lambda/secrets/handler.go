package secrets

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/crumbkit/crumb/keys"
)

// Handler returns an http.Handler that loads the ring from source during
// its first request, builds the application with build, and hands that
// request and every later one to it. Once a build succeeds the extension
// is never asked again: the ring is fetched once per execution
// environment, never per request.
//
// This is how to load keys through the extension on Lambda: the
// extension serves only in the INVOKE phase, so the first invocation is
// the earliest moment it can answer (see the package comment).
//
// Until a load and build succeed, each request tries once more, within
// its own context (whose deadline, under lambda.Start, is the
// invocation's), and is answered 503 Service Unavailable when it fails;
// onError, when not nil, receives the error, which names the source and
// never carries key text. Concurrent first requests wait for one load
// rather than each asking the extension.
func (c *Client) Handler(source string, build func(*keys.Ring) (http.Handler, error), onError func(context.Context, error)) http.Handler {
	return &lazy{c: c, source: source, build: build, onError: onError, sem: make(chan struct{}, 1)}
}

type lazy struct {
	c       *Client
	source  string
	build   func(*keys.Ring) (http.Handler, error)
	onError func(context.Context, error)

	h   atomic.Pointer[http.Handler] // set once a build succeeds
	sem chan struct{}                // held while loading; a channel so waiting honours the context
}

func (l *lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	h, err := l.load(r.Context())
	if err != nil {
		if l.onError != nil {
			l.onError(r.Context(), err)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", "1")
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

func (l *lazy) load(ctx context.Context) (http.Handler, error) {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for another request's load of %s: %w", ErrUnavailable, l.source, context.Cause(ctx))
	}
	defer func() { <-l.sem }()
	if h := l.h.Load(); h != nil { // another request finished the load while this one waited
		return *h, nil
	}
	ring, err := l.c.LoadRing(ctx, l.source)
	if err != nil {
		return nil, err
	}
	h, err := l.build(ring)
	if err != nil {
		return nil, err
	}
	l.h.Store(&h)
	return h, nil
}
