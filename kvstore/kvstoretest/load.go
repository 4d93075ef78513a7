package kvstoretest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// RoundTrip benchmarks one Set and one Get of a 1 KiB value on s: the
// figure to compare between stores, side by side in one run.
func RoundTrip(b *testing.B, s kvstore.Store) {
	ctx := context.Background()
	v := make([]byte, 1024)
	key := kvstore.NewSessionID().StoreKey()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v[0] = byte(i)
		if err := s.Set(ctx, key, v, time.Minute); err != nil {
			b.Fatal(err)
		}
		got, err := s.Get(ctx, key)
		if err != nil || got[0] != byte(i) {
			b.Fatal(err)
		}
	}
}

// LoadResult is one measurement of Load.
type LoadResult struct {
	Mode       string // "read" or "write"
	OK, Errors int64
	PerSecond  float64 // successful requests per second
}

// Load measures requests per second through a real http.Server running
// cookiestore over a kvstore Backend on store (nil: cookie-only
// sessions), with conns keep-alive connections for d, in two modes:
// "read" loads the session and leaves it unchanged (one store read, no
// write, no Set-Cookie); "write" changes it (one read, one write and a
// new cookie). It logs one line per mode and fails the test for any
// request that did not answer 200.
func Load(t *testing.T, name string, store kvstore.Store, d time.Duration, conns int) []LoadResult {
	t.Helper()
	var e *engine
	if store == nil {
		e = newCookieOnlyEngine(t)
	} else {
		e = newEngine(t, store, "load:")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, e.st.Get(r.Context()).Data.User)
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := e.st.Get(r.Context())
		s.Data.User = "load"
		s.Data.N++
		io.WriteString(w, "saved")
	})
	srv := httptest.NewServer(e.st.Middleware(mux))
	defer srv.Close()
	first := do(t, srv.URL+"/set", "")
	if first.status != http.StatusOK {
		t.Fatalf("%s: first request: HTTP %d %q", name, first.status, first.body)
	}
	var results []LoadResult
	for _, mode := range []string{"read", "write"} {
		path := "/get"
		if mode == "write" {
			path = "/set"
		}
		var ok, failed atomic.Int64
		var wg sync.WaitGroup
		stop := time.Now().Add(d)
		for c := 0; c < conns; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
				defer client.CloseIdleConnections()
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				req.Header.Set("Cookie", first.cookie)
				for time.Now().Before(stop) {
					resp, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		r := LoadResult{Mode: mode, OK: ok.Load(), Errors: failed.Load(), PerSecond: float64(ok.Load()) / d.Seconds()}
		t.Logf("%-14s %-5s %8.0f req/s  (%d ok, %d errors, %d connections, %v)", name, mode, r.PerSecond, r.OK, r.Errors, conns, d)
		if r.Errors != 0 {
			t.Errorf("%s %s: %d errors", name, mode, r.Errors)
		}
		results = append(results, r)
	}
	return results
}
