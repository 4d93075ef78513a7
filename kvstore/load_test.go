package kvstore_test

import (
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// TestLoad measures requests per second through a real http.Server with
// 8 keep-alive connections, for cookie-only sessions and for the Memory
// and Webdis backends. It runs only when KVSTORE_LOAD names a duration:
//
//	KVSTORE_LOAD=10s go test -run TestLoad -v ./kvstore
//
// Each request loads the session; "read" leaves it unchanged (no write,
// no Set-Cookie), "write" changes it (one store write and a new cookie).
func TestLoad(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("KVSTORE_LOAD"))
	if err != nil {
		t.Skip("set KVSTORE_LOAD=10s to run the load measurement")
	}
	_, w := sharedWebdis(t)
	backends := []struct {
		name  string
		store kvstore.Store
	}{
		{"cookie-only", nil},
		{"memory", kvstore.NewMemory(kvstore.MemoryConfig{})},
		{"webdis", newWebdis(t, w, nil)},
	}
	for _, b := range backends {
		for _, path := range []string{"/get", "/set?u=load"} {
			a := newApp(t, b.store, nil)
			cookie := a.do(t, "/set?u=load", nil).cookie
			const conns = 8
			var ok, failed atomic.Int64
			var wg sync.WaitGroup
			stop := time.Now().Add(d)
			for c := 0; c < conns; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
					defer client.CloseIdleConnections()
					req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
					req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
					buf := make([]byte, 4096)
					for time.Now().Before(stop) {
						resp, err := client.Do(req)
						if err != nil {
							failed.Add(1)
							continue
						}
						for {
							if _, err := resp.Body.Read(buf); err != nil {
								break
							}
						}
						resp.Body.Close()
						if resp.StatusCode == 200 {
							ok.Add(1)
						} else {
							failed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			mode := "read"
			if path != "/get" {
				mode = "write"
			}
			t.Logf("%-12s %-5s %8.0f req/s  (%d ok, %d errors, %d connections, %v)",
				b.name, mode, float64(ok.Load())/d.Seconds(), ok.Load(), failed.Load(), conns, d)
			if failed.Load() != 0 {
				t.Errorf("%s %s: %d errors", b.name, mode, failed.Load())
			}
		}
	}
}
