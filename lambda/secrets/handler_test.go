package secrets_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda/secrets"
	"github.com/crumbkit/crumb/lambda/secrets/secretstest"
)

// okRequests counts the requests the stand-in answered 200.
func okRequests(ext *secretstest.Extension) int {
	n := 0
	for _, r := range ext.Requests() {
		if r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// app answers with the primary key's ID, so a test sees which ring it
// was built with.
func app(builds *atomic.Int32) func(*keys.Ring) (http.Handler, error) {
	return func(r *keys.Ring) (http.Handler, error) {
		builds.Add(1)
		id := r.Primary().ID().String()
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, id) }), nil
	}
}

func serve(h http.Handler, ctx context.Context) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "GET", "/", nil))
	return w
}

func TestHandlerLoadsOnce(t *testing.T) {
	ring := newRing(t, 2)
	ext := secretstest.New(t)
	ext.PutParameter("/k", ring.Export(), "SecureString")
	var builds atomic.Int32
	h := client(t, ext).Handler("ssm:/k", app(&builds), nil)

	if n := len(ext.Requests()); n != 0 {
		t.Fatalf("Handler asked the extension %d times before any request", n)
	}
	for i := range 5 {
		w := serve(h, context.Background())
		if w.Code != http.StatusOK || w.Body.String() != ring.Primary().ID().String() {
			t.Fatalf("request %d: %d %q", i, w.Code, w.Body)
		}
	}
	if n := len(ext.Requests()); n != 1 {
		t.Errorf("extension asked %d times over 5 requests, want 1", n)
	}
	if builds.Load() != 1 {
		t.Errorf("%d builds, want 1", builds.Load())
	}
}

// TestHandlerNotReady: while the extension cannot answer, requests get
// 503 and the error; the first request after it can answer loads the
// ring.
func TestHandlerNotReady(t *testing.T) {
	ring := newRing(t, 1)
	ext := secretstest.New(t)
	ext.PutSecret("s", ring.Export())
	ext.SetReady(false)
	var builds atomic.Int32
	var errs []error
	h := client(t, ext).Handler("secretsmanager:s", app(&builds), func(_ context.Context, err error) { errs = append(errs, err) })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	w := serve(h, ctx)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d while not ready, want 503", w.Code)
	}
	if len(errs) != 1 || !errors.Is(errs[0], secrets.ErrUnavailable) {
		t.Fatalf("onError got %v, want one ErrUnavailable", errs)
	}
	assertNoLeak(t, errs[0], ext.Token, ring.Export())

	ext.SetReady(true)
	w = serve(h, context.Background())
	if w.Code != http.StatusOK || w.Body.String() != ring.Primary().ID().String() {
		t.Fatalf("after ready: %d %q", w.Code, w.Body)
	}
	serve(h, context.Background())
	if okRequests(ext) != 1 || builds.Load() != 1 {
		t.Errorf("%d successful fetches and %d builds, want 1 and 1", okRequests(ext), builds.Load())
	}
}

func TestHandlerFailures(t *testing.T) {
	ext := secretstest.New(t)
	ext.PutSecret("bad", "SESSION_KEYS=short")
	ext.PutSecret("good", newRing(t, 1).Export())
	tests := []struct {
		name, source string
		build        func(*keys.Ring) (http.Handler, error)
		want         error
	}{
		{"not found", "secretsmanager:missing", nil, secrets.ErrNotFound},
		{"not a ring", "secretsmanager:bad", nil, keys.ErrNotBase64},
		{"build fails", "secretsmanager:good", func(*keys.Ring) (http.Handler, error) { return nil, errBuild }, errBuild},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got error
			build := tc.build
			if build == nil {
				build = func(*keys.Ring) (http.Handler, error) { t.Fatal("build called"); return nil, nil }
			}
			h := client(t, ext).Handler(tc.source, build, func(_ context.Context, err error) { got = err })
			w := serve(h, context.Background())
			if w.Code != http.StatusServiceUnavailable || !errors.Is(got, tc.want) {
				t.Fatalf("status %d, error %v; want 503 and %v", w.Code, got, tc.want)
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Error("503 without Cache-Control: no-store")
			}
		})
	}
}

var errBuild = errors.New("build failed")

// TestHandlerConcurrentFirstRequests: requests that arrive together
// while nothing is loaded share one load.
func TestHandlerConcurrentFirstRequests(t *testing.T) {
	ring := newRing(t, 1)
	ext := secretstest.New(t)
	ext.PutSecret("s", ring.Export())
	ext.NotReadyFor(2) // keeps the first load busy while the others arrive
	var builds atomic.Int32
	h := client(t, ext).Handler("secretsmanager:s", app(&builds), nil)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i] = serve(h, context.Background()).Code })
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: status %d", i, c)
		}
	}
	if okRequests(ext) != 1 || builds.Load() != 1 {
		t.Errorf("%d successful fetches and %d builds, want 1 and 1", okRequests(ext), builds.Load())
	}
}

// TestHandlerWaitDeadline: a request whose context ends while another
// request holds the load gets 503 and an ErrUnavailable that says why.
func TestHandlerWaitDeadline(t *testing.T) {
	ext := secretstest.New(t)
	ext.PutSecret("s", newRing(t, 1).Export())
	ext.SetReady(false)
	var (
		mu   sync.Mutex
		errs []error
	)
	var builds atomic.Int32
	h := client(t, ext).Handler("secretsmanager:s", app(&builds), func(_ context.Context, err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	})

	first, cancelFirst := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- serve(h, first).Code }()
	for len(ext.Requests()) == 0 { // the first request now holds the load
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if w := serve(h, ctx); w.Code != http.StatusServiceUnavailable {
		t.Errorf("waiting request: status %d, want 503", w.Code)
	}
	cancelFirst()
	if code := <-done; code != http.StatusServiceUnavailable {
		t.Errorf("first request: status %d, want 503", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 2 {
		t.Fatalf("onError got %v, want two errors", errs)
	}
	for _, err := range errs {
		if !errors.Is(err, secrets.ErrUnavailable) {
			t.Errorf("error %v is not ErrUnavailable", err)
		}
	}
	if !errors.Is(errs[0], context.DeadlineExceeded) || !strings.Contains(errs[0].Error(), "waiting for another request's load") {
		t.Errorf("waiting request's error = %v, want one saying it waited, wrapping DeadlineExceeded", errs[0])
	}
	if builds.Load() != 0 {
		t.Errorf("%d builds, want 0", builds.Load())
	}
}
