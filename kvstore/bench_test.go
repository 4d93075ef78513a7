package kvstore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// benchRoundTrip measures one Set plus one Get of a 1 KiB session, as
// every store's benchmark does (kvstoretest.RoundTrip).
func benchRoundTrip(b *testing.B, s kvstore.Store) { kvstoretest.RoundTrip(b, s) }

func BenchmarkMemoryGetSet(b *testing.B) {
	benchRoundTrip(b, kvstore.NewMemory(kvstore.MemoryConfig{}))
}

func BenchmarkWebdisGetSet(b *testing.B) {
	_, w := sharedWebdis(b)
	s, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: w.URL, Username: w.User, Password: w.Password})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, s)
}

func BenchmarkUpstashGetSet(b *testing.B) {
	u := sharedUpstash(b)
	s, err := kvstore.NewUpstash(kvstore.UpstashConfig{URL: u.URL, Token: u.Token})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, s)
}

// benchRequest measures one request through cookiestore's middleware
// (in process, no client): path "/get" loads an unchanged session,
// "/set" changes it and saves, "new" saves a new session (a request
// without a cookie to /set).
func benchRequest(b *testing.B, store kvstore.Store, path string) {
	a := newApp(b, store, nil)
	cookie := a.do(b, "/set?u=bench", nil).cookie
	if path == "new" {
		path, cookie = "/set?u=bench", nil
	}
	h := a.srv.Config.Handler
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if cookie != nil {
			req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d", rec.Code)
		}
	}
}

func BenchmarkRequest(b *testing.B) {
	for _, path := range []string{"/get", "/set?u=bench", "new"} {
		b.Run("cookie/"+strings.TrimPrefix(path, "/"), func(b *testing.B) { benchRequest(b, nil, path) })
		b.Run("memory/"+strings.TrimPrefix(path, "/"), func(b *testing.B) { benchRequest(b, kvstore.NewMemory(kvstore.MemoryConfig{}), path) })
		b.Run("webdis/"+strings.TrimPrefix(path, "/"), func(b *testing.B) {
			_, w := sharedWebdis(b)
			benchRequest(b, newWebdis(b, w, nil), path)
		})
	}
}
