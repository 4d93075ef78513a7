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
	"github.com/crumbkit/crumb/internal/vectors"
)

// TestUnchangedSessionAllocs holds a request through the middleware
// whose handler reads an encrypted session and changes nothing to at
// most 5 allocations: the request copy that carries the context, the
// middleware's per-request state, the decoded cookie value, the cache
// headers, and the one string of the session data. Everything else,
// the value's AES-GCM state included (encrypted.WithOpenCache), is
// reused from earlier requests.
func TestUnchangedSessionAllocs(t *testing.T) {
	if vectors.RaceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{})
	s, _ := st.LoadHeader(t.Context(), "")
	s.Data.Email = "ada@example.com"
	s.Data.Failed = 1
	lines, err := st.Commit(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st.Get(r.Context()).Data.Email != "ada@example.com" {
			t.Error("session not loaded")
		}
		io.WriteString(w, "hello")
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "theme=dark; "+strings.Split(lines[0], ";")[0])
	w := &discardWriter{h: http.Header{}}
	allocs := testing.AllocsPerRun(200, func() {
		clear(w.h)
		h.ServeHTTP(w, req)
	})
	if w.h.Get("Set-Cookie") != "" || w.h.Get("Vary") != "Cookie" || w.h.Get("Cache-Control") != "private" {
		t.Fatalf("unchanged session: headers %v", w.h)
	}
	t.Logf("%.1f allocations per request", allocs)
	if allocs > 5 {
		t.Errorf("%.1f allocations per unchanged request, want at most 5", allocs)
	}
}

// TestCacheHeadersIndependent: the Vary and Cache-Control values the
// middleware adds share one allocation; adding to one header afterwards
// (an outer middleware, say) must leave the other alone.
func TestCacheHeadersIndependent(t *testing.T) {
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{})
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Data.Email = "ada@example.com"
		io.WriteString(w, "hello")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	hdr := rec.Header()
	hdr.Add("Vary", "Accept-Encoding")
	hdr.Add("Cache-Control", "max-age=0")
	if got := hdr.Values("Vary"); len(got) != 2 || got[0] != "Cookie" || got[1] != "Accept-Encoding" {
		t.Errorf("Vary = %q", got)
	}
	if got := hdr.Values("Cache-Control"); len(got) != 2 || got[0] != "private, no-store" || got[1] != "max-age=0" {
		t.Errorf("Cache-Control = %q", got)
	}
}
