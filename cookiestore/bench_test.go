//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/signed"
)

// discardWriter is a ResponseWriter that keeps nothing, so the
// benchmarks measure the middleware rather than a recorder. Like
// net/http's own writer it has WriteString, which the middleware
// passes strings to without converting them to bytes.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header               { return w.h }
func (w *discardWriter) Write(b []byte) (int, error)       { return len(b), nil }
func (w *discardWriter) WriteString(s string) (int, error) { return len(s), nil }
func (w *discardWriter) WriteHeader(int)                   {}

func benchHandler(b *testing.B, mw func(http.Handler) http.Handler, get func(r *http.Request) *cookiestore.Session[account], change bool, cookie string) {
	h := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if get != nil {
			s := get(r)
			if change {
				s.Data.Failed++
			} else if s.Data.Email == "" {
				b.Fatal("session not loaded")
			}
		}
		io.WriteString(w, "hello")
	}))
	if mw != nil {
		h = mw(h)
	}
	req := httptest.NewRequest("GET", "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	b.StopTimer()
	if mw != nil && !change && w.h.Get("Set-Cookie") != "" {
		b.Fatal("unchanged session sent a Set-Cookie")
	}
	if get != nil && !change && (w.h.Get("Vary") != "Cookie" || w.h.Get("Cache-Control") != "private") {
		b.Fatalf("unchanged session: cache headers %v", w.h)
	}
	if change && w.h.Get("Set-Cookie") == "" {
		b.Fatal("changed session sent no Set-Cookie")
	}
}

func BenchmarkMiddleware(b *testing.B) {
	r := ring(b)
	for _, sc := range []struct {
		name string
		st   *cookiestore.Store[account]
	}{
		{"signed", mustStore(b, signed.New(r), cookiestore.Options[account]{})},
		{"encrypted", mustStore(b, encrypted.New(r), cookiestore.Options[account]{})},
		// The same without the sealer's Open cache and the store's
		// decode cache, to show what they save in the same run.
		{"encrypted-caches-off", mustStore(b, encrypted.New(r, encrypted.WithOpenCache(0)), cookiestore.Options[account]{DecodeCache: -1})},
	} {
		st := sc.st
		s, _ := st.LoadHeader(b.Context(), "")
		s.Data.Email = "ada@example.com"
		s.Data.Failed = 1
		lines, err := st.Commit(b.Context(), s)
		if err != nil {
			b.Fatal(err)
		}
		cookie := "theme=dark; " + strings.Split(lines[0], ";")[0]
		get := func(r *http.Request) *cookiestore.Session[account] { return st.Get(r.Context()) }
		b.Run(sc.name+"/baseline-no-sessions", func(b *testing.B) { benchHandler(b, nil, nil, false, cookie) })
		b.Run(sc.name+"/unchanged", func(b *testing.B) { benchHandler(b, st.Middleware, get, false, cookie) })
		b.Run(sc.name+"/changed", func(b *testing.B) { benchHandler(b, st.Middleware, get, true, cookie) })
		b.Run(sc.name+"/not-used", func(b *testing.B) { benchHandler(b, st.Middleware, nil, false, cookie) })
	}
}
