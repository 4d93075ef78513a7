//go:build !tinygo && !crumb_nohttp

package cookiestore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/signed"
)

// hookErrs collects OnError reports.
type hookErrs struct {
	mu   sync.Mutex
	errs []error
}

func (h *hookErrs) add(_ context.Context, err error) {
	h.mu.Lock()
	h.errs = append(h.errs, err)
	h.mu.Unlock()
}

func (h *hookErrs) take() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.errs
	h.errs = nil
	return e
}

func TestBadCookies(t *testing.T) {
	clk := newClock()
	r := ring(t)
	sealer := encrypted.New(r, crumb.WithClock(clk.Now))
	hook := &hookErrs{}
	opts := cookiestore.Options[account]{Name: "sid", Now: clk.Now, OnError: hook.add, InsecureHTTP: true,
		IdleTimeout: time.Hour,
		Validate: func(_ context.Context, a *account) error {
			if strings.Contains(a.Email, " ") {
				return errors.New("email with a space")
			}
			return nil
		}}
	st := mustStore(t, sealer, opts)
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		if !s.IsNew() {
			t.Error("bad cookie accepted")
		}
		io.WriteString(w, "ok")
	}))
	seal := func(name string, a account, s crumb.Sealer) string {
		b := fmt.Sprintf(`{"i":"%s","c":%d,"d":{"email":%q}}`, strings.Repeat("A", 43), clk.Now().Unix(), a.Email)
		v, err := s.Seal(name, []byte(b), clk.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	good := seal("sid", account{Email: "a"}, sealer)
	other := ring(t)
	clkPast := func() time.Time { return clk.Now().Add(-2 * time.Hour) }
	expired, _ := encrypted.New(r, crumb.WithClock(clkPast)).Seal("sid", []byte(`{}`), clkPast().Add(time.Hour))

	cases := []struct {
		name, value string
		kinds       []error
	}{
		{"garbage", "%%%not-base64%%%", []error{cookiestore.ErrInvalid, crumb.ErrMalformed}},
		{"tampered", flipChar(good, 40), []error{cookiestore.ErrInvalid}},
		{"truncated", good[:30], []error{cookiestore.ErrInvalid}},
		{"expired", expired, []error{cookiestore.ErrExpired, crumb.ErrExpired}},
		{"unknown key", seal("sid", account{Email: "a"}, encrypted.New(other, crumb.WithClock(clk.Now))), []error{cookiestore.ErrUnknownKey, crumb.ErrUnknownKey}},
		{"wrong sealer", seal("sid", account{Email: "a"}, signed.New(r, crumb.WithClock(clk.Now))), []error{cookiestore.ErrInvalid}},
		{"wrong name", seal("other", account{Email: "a"}, sealer), []error{cookiestore.ErrInvalid}},
		{"oversized", strings.Repeat("A", 5000), []error{cookiestore.ErrTooLarge}},
		{"rejected by Validate", seal("sid", account{Email: "a b"}, sealer), []error{cookiestore.ErrRejected}},
		{"not a record", func() string { v, _ := sealer.Seal("sid", []byte("{oops"), clk.Now().Add(time.Hour)); return v }(), []error{cookiestore.ErrInvalid}},
		{"data with trailing bytes", func() string {
			b := fmt.Sprintf(`{"i":"%s","c":%d,"d":{"email":"a"} x}`, strings.Repeat("A", 43), clk.Now().Unix())
			v, _ := sealer.Seal("sid", []byte(b), clk.Now().Add(time.Hour))
			return v
		}(), []error{cookiestore.ErrInvalid}},
		{"record without ID", func() string {
			v, _ := sealer.Seal("sid", []byte(`{"c":5,"d":{}}`), clk.Now().Add(time.Hour))
			return v
		}(), []error{cookiestore.ErrInvalid}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "a=b; sid="+tc.value)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || rec.Body.String() != "ok" {
				t.Fatalf("status %d body %q", rec.Code, rec.Body.String())
			}
			errs := hook.take()
			if len(errs) != 1 {
				t.Fatalf("hook got %d errors: %v", len(errs), errs)
			}
			for _, k := range tc.kinds {
				if !errors.Is(errs[0], k) {
					t.Errorf("error %q does not wrap %v", errs[0], k)
				}
			}
			if len(tc.value) > 16 && strings.Contains(errs[0].Error(), tc.value[:16]) {
				t.Errorf("error quotes the cookie: %q", errs[0])
			}
			if strings.Contains(errs[0].Error(), "email with a space") {
				t.Errorf("error quotes the validator, which may quote the data: %q", errs[0])
			}
			// The refused cookie is expired, with the cache headers.
			if sc := rec.Header().Get("Set-Cookie"); !strings.HasPrefix(sc, "sid=;") || !strings.Contains(sc, "Max-Age=0") {
				t.Errorf("Set-Cookie %q", sc)
			}
			if rec.Header().Get("Vary") != "Cookie" || rec.Header().Get("Cache-Control") != "private, no-store" {
				t.Errorf("cache headers %v", rec.Header())
			}
		})
	}
	// The good cookie passes, and sends no Set-Cookie back (but keeps
	// shared caches out: the response may show the session's data).
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "sid="+good)
	rec := httptest.NewRecorder()
	st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := st.Get(r.Context()); s.IsNew() || s.Data.Email != "a" {
			t.Errorf("good cookie refused: %v", s.Err())
		}
	})).ServeHTTP(rec, req)
	if rec.Header().Get("Set-Cookie") != "" || rec.Header().Get("Vary") != "Cookie" || rec.Header().Get("Cache-Control") != "private" || len(hook.take()) != 0 {
		t.Fatalf("unchanged session: headers %v", rec.Header())
	}
}

func TestOptionsValidation(t *testing.T) {
	s := encrypted.New(ring(t))
	cases := []struct {
		name string
		o    cookiestore.Options[account]
		ok   bool
		want []string // attributes the line must carry
	}{
		{"defaults", cookiestore.Options[account]{}, true, []string{"__Host-session=", "; Path=/", "; HttpOnly", "; Secure", "; SameSite=Lax"}},
		{"insecure dev", cookiestore.Options[account]{InsecureHTTP: true}, true, []string{"session=", "; SameSite=Lax"}},
		{"host prefix insecure", cookiestore.Options[account]{Name: "__Host-s", InsecureHTTP: true}, false, nil},
		{"host prefix path", cookiestore.Options[account]{Name: "__Host-s", Path: "/app"}, false, nil},
		{"host prefix domain", cookiestore.Options[account]{Name: "__host-s", Domain: "example.com"}, false, nil},
		{"secure prefix insecure", cookiestore.Options[account]{Name: "__Secure-s", InsecureHTTP: true}, false, nil},
		{"secure prefix domain", cookiestore.Options[account]{Name: "__Secure-s", Domain: "example.com"}, true, []string{"; Domain=example.com"}},
		{"domain default name", cookiestore.Options[account]{Domain: "example.com"}, true, []string{"session="}},
		{"samesite none", cookiestore.Options[account]{SameSite: cookiestore.SameSiteNone}, true, []string{"; SameSite=None", "; Secure"}},
		{"samesite none insecure", cookiestore.Options[account]{SameSite: cookiestore.SameSiteNone, InsecureHTTP: true}, false, nil},
		{"strict", cookiestore.Options[account]{SameSite: cookiestore.SameSiteStrict}, true, []string{"; SameSite=Strict"}},
		{"partitioned", cookiestore.Options[account]{Partitioned: true}, true, []string{"; Partitioned"}},
		{"partitioned insecure", cookiestore.Options[account]{Partitioned: true, InsecureHTTP: true}, false, nil},
		{"bad name", cookiestore.Options[account]{Name: "a;b"}, false, nil},
		{"hash in name", cookiestore.Options[account]{Name: "a#b"}, false, nil},
		{"bad path", cookiestore.Options[account]{Path: "app"}, false, nil},
		{"path injection", cookiestore.Options[account]{Path: "/; Domain=evil"}, false, nil},
		{"absolute below idle", cookiestore.Options[account]{IdleTimeout: time.Hour, AbsoluteTimeout: time.Minute}, false, nil},
		{"renew fraction", cookiestore.Options[account]{RenewFraction: 1.5}, false, nil},
		{"chunks", cookiestore.Options[account]{MaxChunks: 9}, false, nil},
		{"bad samesite", cookiestore.Options[account]{SameSite: 7}, false, nil},
		{"failure status 502", cookiestore.Options[account]{BackendFailureStatus: 502}, true, nil},
		{"failure status 200", cookiestore.Options[account]{BackendFailureStatus: 200}, false, nil},
		{"failure status 303", cookiestore.Options[account]{BackendFailureStatus: 303}, false, nil},
		{"failure status 404", cookiestore.Options[account]{BackendFailureStatus: 404}, false, nil},
		{"failure status 600", cookiestore.Options[account]{BackendFailureStatus: 600}, false, nil},
		{"failure status negative", cookiestore.Options[account]{BackendFailureStatus: -503}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := cookiestore.New(s, tc.o)
			if !tc.ok {
				if !errors.Is(err, cookiestore.ErrConfig) {
					t.Fatalf("err=%v, want ErrConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sess, _ := st.LoadHeader(context.Background(), "")
			sess.Data.Email = "x"
			lines, err := st.Commit(context.Background(), sess)
			if err != nil || len(lines) != 1 {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("line lacks %q", w)
				}
			}
			if tc.o.InsecureHTTP && strings.Contains(lines[0], "Secure") {
				t.Error("Secure despite InsecureHTTP")
			}
		})
	}
	if _, err := cookiestore.New[account](nil, cookiestore.Options[account]{}); !errors.Is(err, cookiestore.ErrConfig) {
		t.Fatalf("nil sealer: %v", err)
	}
}

// TestServerFlow runs the middleware behind a real TLS server with a
// cookiejar client, and concurrent requests on one session under -race.
func TestServerFlow(t *testing.T) {
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		s.Regenerate()
		s.Data.Email = r.FormValue("email")
		s.Flash("message", "Login successful")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Destroy()
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		fmt.Fprintf(w, "user=%s flash=%s", s.Data.Email, strings.Join(s.Flashes("message"), ","))
	})
	srv := httptest.NewUnstartedServer(st.Middleware(mux))
	// Closing the server while idle TLS connections finish their
	// handshakes logs noise that is not a failure.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	u, _ := url.Parse(srv.URL)
	body := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := body(c.PostForm(srv.URL+"/login", url.Values{"email": {"ada"}})); got != "user=ada flash=Login successful" {
		t.Fatalf("after login: %q", got)
	}
	if got := body(c.Get(srv.URL + "/")); got != "user=ada flash=" {
		t.Fatalf("reload: %q", got)
	}
	// Concurrent requests carrying the same cookie.
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(srv.URL + "/")
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "user=ada flash=" || resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("concurrent: %q, Set-Cookie %q", b, resp.Header.Get("Set-Cookie"))
			}
		}()
	}
	wg.Wait()
	if got := body(c.PostForm(srv.URL+"/logout", nil)); got != "user= flash=" {
		t.Fatalf("after logout: %q", got)
	}
	if n := len(jar.Cookies(u)); n != 0 {
		t.Fatalf("%d cookies after logout", n)
	}
}

// streamRecorder is an httptest.ResponseRecorder that remembers the
// headers as they were when the first byte went out.
type streamRecorder struct {
	*httptest.ResponseRecorder
	atFirstByte http.Header
}

func (r *streamRecorder) WriteHeader(code int) {
	if r.atFirstByte == nil && code >= 200 {
		r.atFirstByte = r.Header().Clone()
	}
	r.ResponseRecorder.WriteHeader(code)
}

func (r *streamRecorder) Flush() {
	if r.atFirstByte == nil {
		r.atFirstByte = r.Header().Clone()
	}
	r.ResponseRecorder.Flush()
}

func (r *streamRecorder) Write(b []byte) (int, error) {
	if r.atFirstByte == nil {
		r.atFirstByte = r.Header().Clone()
	}
	return r.ResponseRecorder.Write(b)
}

func (r *streamRecorder) WriteString(s string) (int, error) {
	if r.atFirstByte == nil {
		r.atFirstByte = r.Header().Clone()
	}
	return r.ResponseRecorder.WriteString(s)
}

// readerOnly hides a reader's WriteTo, so io.Copy takes the writer's
// ReadFrom.
type readerOnly struct{ io.Reader }

func TestMiddlewareWriterPaths(t *testing.T) {
	hook := &hookErrs{}
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{OnError: hook.add})
	cases := map[string]func(w http.ResponseWriter, s *cookiestore.Session[account]){
		"WriteHeader": func(w http.ResponseWriter, s *cookiestore.Session[account]) { w.WriteHeader(201) },
		"Write":       func(w http.ResponseWriter, s *cookiestore.Session[account]) { w.Write([]byte("x")) },
		"Flush":       func(w http.ResponseWriter, s *cookiestore.Session[account]) { w.(http.Flusher).Flush() },
		"ResponseController": func(w http.ResponseWriter, s *cookiestore.Session[account]) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Error(err)
			}
		},
		"ReadFrom": func(w http.ResponseWriter, s *cookiestore.Session[account]) {
			if _, ok := w.(io.ReaderFrom); !ok {
				t.Error("the writer lost ReadFrom")
			}
			io.Copy(w, readerOnly{strings.NewReader("body")})
		},
		"WriteString": func(w http.ResponseWriter, s *cookiestore.Session[account]) { io.WriteString(w, "body") },
		"WriteTo":     func(w http.ResponseWriter, s *cookiestore.Session[account]) { io.Copy(w, strings.NewReader("body")) },
		"EarlyHint":   func(w http.ResponseWriter, s *cookiestore.Session[account]) { w.WriteHeader(103); w.Write([]byte("x")) },
		"nothing":     func(w http.ResponseWriter, s *cookiestore.Session[account]) {},
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			hook.take()
			rec := &streamRecorder{ResponseRecorder: httptest.NewRecorder()}
			st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := st.Get(r.Context())
				s.Data.Email = "a"
				write(w, s)
				s.Data.Email = "changed after the headers"
			})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			hdr := rec.atFirstByte
			if name == "nothing" {
				hdr = rec.Header()
			}
			if hdr == nil || len(hdr.Values("Set-Cookie")) != 1 {
				t.Fatalf("Set-Cookie not there before the first byte: %v", hdr)
			}
			errs := hook.take()
			if name == "nothing" {
				if len(errs) != 0 {
					t.Fatalf("errors %v", errs)
				}
				return
			}
			if len(errs) != 1 || !errors.Is(errs[0], cookiestore.ErrHeadersSent) {
				t.Fatalf("late change: %v", errs)
			}
		})
	}
}

func TestResponseControllerAndHijack(t *testing.T) {
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{InsecureHTTP: true})
	srv := httptest.NewServer(st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through Unwrap: %v", err)
		}
		if r.URL.Path == "/hijack" {
			conn, brw, err := rc.Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
			brw.Flush()
			return
		}
		io.WriteString(w, "plain")
	})))
	defer srv.Close()
	for _, p := range []string{"/", "/hijack"} {
		resp, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Fatalf("%s: %d %q", p, resp.StatusCode, b)
		}
	}
}

// failingBackend keeps records in memory and fails on demand.
type failingBackend struct {
	mu                        sync.Mutex
	m                         map[string][]byte
	failLoad, failSave, fails bool
	deleted                   []string
}

var errDown = errors.New("backend down")

func (b *failingBackend) Load(_ context.Context, ref []byte) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failLoad {
		return nil, errDown
	}
	rec, ok := b.m[string(ref)]
	if !ok {
		return nil, fmt.Errorf("no record: %w", cookiestore.ErrMissing)
	}
	return rec, nil
}

func (b *failingBackend) Save(_ context.Context, r cookiestore.Record) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failSave {
		return nil, errDown
	}
	b.m[r.ID] = r.Payload
	return []byte(r.ID), nil
}

func (b *failingBackend) Delete(_ context.Context, ref []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failSave {
		return errDown
	}
	delete(b.m, string(ref))
	b.deleted = append(b.deleted, string(ref))
	return nil
}

func TestBackend(t *testing.T) {
	be := &failingBackend{m: map[string][]byte{}}
	hook := &hookErrs{}
	st := mustStore(t, signed.New(ring(t)), cookiestore.Options[account]{Backend: be, OnError: hook.add, InsecureHTTP: true})
	handlerRan := false
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerRan = true
		s := st.Get(r.Context())
		switch r.URL.Path {
		case "/set":
			s.Data.Email = r.URL.Query().Get("e")
		case "/regen":
			s.Regenerate()
		case "/destroy":
			s.Destroy()
		}
		io.WriteString(w, "email="+s.Data.Email)
	}))
	cookie := ""
	do := func(path string) *httptest.ResponseRecorder {
		handlerRan = false
		req := httptest.NewRequest("GET", path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if sc := rec.Header().Get("Set-Cookie"); sc != "" {
			cookie = strings.Split(sc, ";")[0]
			if strings.HasSuffix(cookie, "=") {
				cookie = ""
			}
		}
		return rec
	}
	do("/set?e=a")
	if len(be.m) != 1 || len(cookie) > 200 {
		t.Fatalf("record not in the backend: %d records, cookie %d bytes", len(be.m), len(cookie))
	}
	if rec := do("/"); rec.Body.String() != "email=a" {
		t.Fatalf("load from backend: %q", rec.Body.String())
	}
	do("/regen")
	if len(be.m) != 1 || len(be.deleted) != 1 {
		t.Fatalf("Regenerate: %d records, %d deleted", len(be.m), len(be.deleted))
	}
	// Save fails: 503, the handler's body is not sent, no Set-Cookie.
	be.failSave = true
	rec := do("/set?e=b")
	if rec.Code != 503 || strings.Contains(rec.Body.String(), "email") || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("failed save: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	if errs := hook.take(); len(errs) != 1 || !errors.Is(errs[0], cookiestore.ErrBackend) || !errors.Is(errs[0], errDown) {
		t.Fatalf("hook: %v", errs)
	}
	// Destroy whose delete fails: 503 too.
	if rec := do("/destroy"); rec.Code != 503 {
		t.Fatalf("failed destroy: %d", rec.Code)
	}
	hook.take()
	be.failSave = false
	// Load fails: 503 before the handler runs.
	be.failLoad = true
	if rec := do("/"); rec.Code != 503 || handlerRan {
		t.Fatalf("failed load: %d, handler ran %v", rec.Code, handlerRan)
	}
	hook.take()
	be.failLoad = false
	// Record gone: a fresh session and ErrMissing.
	be.m = map[string][]byte{}
	if rec := do("/"); rec.Code != 200 || rec.Body.String() != "email=" {
		t.Fatalf("missing record: %d %q", rec.Code, rec.Body.String())
	}
	if errs := hook.take(); len(errs) != 1 || !errors.Is(errs[0], cookiestore.ErrMissing) {
		t.Fatalf("hook: %v", errs)
	}
}

// TestBackendFailureStatus checks that a failing Backend gives the
// configured status (503 by default) on load, save and delete, and that
// nothing of the handler's response (status, body, Location,
// Set-Cookie) gets through.
func TestBackendFailureStatus(t *testing.T) {
	cases := []struct {
		name       string
		configured int
		want       int
	}{
		{"default", 0, http.StatusServiceUnavailable},
		{"503", 503, http.StatusServiceUnavailable},
		{"500", 500, http.StatusInternalServerError},
		{"502", 502, http.StatusBadGateway},
		{"unnamed 5xx", 599, 599},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			be := &failingBackend{m: map[string][]byte{}}
			hook := &hookErrs{}
			st := mustStore(t, signed.New(ring(t)), cookiestore.Options[account]{
				Backend: be, OnError: hook.add, InsecureHTTP: true, BackendFailureStatus: tc.configured})
			handlerRan := false
			h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				handlerRan = true
				s := st.Get(r.Context())
				switch r.URL.Path {
				case "/login":
					s.Data.Email = "ada"
					s.Data.Failed++
				case "/logout":
					s.Destroy()
				}
				w.Header().Set("X-Handler", "yes")
				http.Redirect(w, r, "/done", http.StatusSeeOther)
			}))
			do := func(path, cookie string) *httptest.ResponseRecorder {
				handlerRan = false
				req := httptest.NewRequest("POST", path, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			rec := do("/login", "")
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("working backend: %d", rec.Code)
			}
			cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]

			failed := func(step string, rec *httptest.ResponseRecorder, wantHandler bool) {
				t.Helper()
				if rec.Code != tc.want {
					t.Fatalf("%s: status %d, want %d", step, rec.Code, tc.want)
				}
				for _, hdr := range []string{"Location", "Set-Cookie", "X-Handler", "Vary"} {
					if v := rec.Header().Get(hdr); v != "" {
						t.Errorf("%s: handler's %s: %q got through", step, hdr, v)
					}
				}
				if rec.Header().Get("Cache-Control") != "no-store" || !strings.Contains(rec.Body.String(), "try again later") ||
					strings.Contains(rec.Body.String(), "See Other") || strings.Contains(rec.Body.String(), errDown.Error()) {
					t.Errorf("%s: headers %v body %q", step, rec.Header(), rec.Body.String())
				}
				if handlerRan != wantHandler {
					t.Errorf("%s: handler ran %v, want %v", step, handlerRan, wantHandler)
				}
				errs := hook.take()
				if len(errs) != 1 || !errors.Is(errs[0], cookiestore.ErrBackend) || !errors.Is(errs[0], errDown) {
					t.Errorf("%s: hook got %v", step, errs)
				}
			}
			be.failSave = true
			failed("save", do("/login", cookie), true)
			failed("delete", do("/logout", cookie), true)
			be.failSave, be.failLoad = false, true
			// The load fails before the handler runs.
			failed("load", do("/", cookie), false)
		})
	}
}

// TestBackendUnusedSession checks that with a server-side backend,
// which makes the middleware load the session before the handler, a
// request whose handler never asks for the session (a static file, a
// favicon) neither saves it nor consumes its flashes.
func TestBackendUnusedSession(t *testing.T) {
	be := &failingBackend{m: map[string][]byte{}}
	clk := newClock()
	r := ring(t)
	hook := &hookErrs{}
	st := mustStore(t, signed.New(r, crumb.WithClock(clk.Now)), cookiestore.Options[account]{
		Backend: be, OnError: hook.add, InsecureHTTP: true, Now: clk.Now, IdleTimeout: time.Hour})
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flash":
			s := st.Get(r.Context())
			s.Data.Email = "a"
			s.Flash("m", "hello")
		case "/read":
			io.WriteString(w, strings.Join(st.Get(r.Context()).Flashes("m"), ","))
		default:
			io.WriteString(w, "static")
		}
	}))
	do := func(path, cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := do("/flash", "")
	cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]
	saved := len(be.m)
	// Renewal is due, the record holds a flash: a session in use would
	// be saved now.
	clk.Advance(30 * time.Minute)
	if rec := do("/favicon.ico", cookie); rec.Header().Get("Set-Cookie") != "" || rec.Body.String() != "static" {
		t.Fatalf("unused session: Set-Cookie %q, body %q", rec.Header().Get("Set-Cookie"), rec.Body.String())
	}
	if saved != 1 || len(be.m) != 1 {
		t.Fatalf("records: %d, then %d", saved, len(be.m))
	}
	if rec := do("/read", cookie); rec.Body.String() != "hello" || rec.Header().Get("Set-Cookie") == "" {
		t.Fatalf("the flash did not survive the unused request: %q", rec.Body.String())
	}
	if errs := hook.take(); len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
}

// TestMiddlewareContext checks the context the handler gets: derived
// contexts still find the session, the request's cancellation reaches
// them, and two stores of the same type each find their own session.
func TestMiddlewareContext(t *testing.T) {
	r := ring(t)
	a := mustStore(t, encrypted.New(r), cookiestore.Options[account]{Name: "a", InsecureHTTP: true})
	b := mustStore(t, encrypted.New(r), cookiestore.Options[account]{Name: "b", InsecureHTTP: true})
	type key struct{}
	var inner http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(context.WithValue(r.Context(), key{}, "v"))
		defer cancel()
		sa, sb := a.Get(ctx), b.Get(ctx)
		if sa == sb || sa != a.Get(r.Context()) || ctx.Value(key{}) != "v" {
			t.Error("stores mixed up their sessions, or a derived context lost them")
		}
		sa.Data.Email = "a"
		sb.Data.Email = "b"
		select {
		case <-ctx.Done():
			t.Error("derived context done before the request ended")
		default:
		}
		// The request's own cancellation reaches the derived context.
		r.Context().Value(cancelKey{}).(context.CancelFunc)()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Error("request cancellation did not reach the handler's derived context")
		}
	})
	h := a.Middleware(b.Middleware(inner))
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequest("GET", "/", nil).WithContext(context.WithValue(parent, cancelKey{}, cancel))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	got := strings.Join(rec.Header().Values("Set-Cookie"), "\n")
	if !strings.Contains(got, "a=") || !strings.Contains(got, "\nb=") && !strings.HasPrefix(got, "b=") {
		t.Fatalf("Set-Cookie: %q", got)
	}
	if _, ok := a.FromContext(context.Background()); ok {
		t.Fatal("FromContext found a session outside the middleware")
	}
}

type cancelKey struct{}

func TestTooLargeMiddleware(t *testing.T) {
	hook := &hookErrs{}
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{OnError: hook.add})
	rec := httptest.NewRecorder()
	st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Data.Blob = randomText(5000)
		io.WriteString(w, "saved!")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || rec.Header().Get("Set-Cookie") != "" || strings.Contains(rec.Body.String(), "saved") {
		t.Fatalf("%d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
	if errs := hook.take(); len(errs) != 1 || !errors.Is(errs[0], cookiestore.ErrTooLarge) {
		t.Fatalf("hook: %v", errs)
	}
	// The explicit API hands the error to the handler.
	s, _ := st.Load(httptest.NewRequest("GET", "/", nil))
	s.Data.Blob = randomText(5000)
	if err := st.Save(context.Background(), httptest.NewRecorder(), s); !errors.Is(err, cookiestore.ErrTooLarge) {
		t.Fatalf("Save: %v", err)
	}
}

func TestCacheControl(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "private, no-store",
		"public, max-age=3600":    "private, no-store",
		"no-store":                "no-store",
		"private, max-age=60":     "private, max-age=60",
		"max-age=0, No-Store":     "max-age=0, No-Store",
		"no-cache=\"Set-Cookie\"": "private, no-store",
		// A quoted field list naming "private" is not the directive.
		`no-cache="X-A, private, X-B"`: "private, no-store",
		`private="Set-Cookie"`:         "private, no-store",
		"public, No-Store":             "public, No-Store",
		"private":                      "private",
	} {
		if got := cookiestore.CacheControl(in); got != want {
			t.Errorf("CacheControl(%q)=%q, want %q", in, got, want)
		}
	}
}

// TestSessionEndsDuringRequest checks that a session reaching its
// absolute lifetime while the handler runs is cleared and reported, and
// the handler's response goes out: an expiry is not a server error.
func TestSessionEndsDuringRequest(t *testing.T) {
	clk := newClock()
	hook := &hookErrs{}
	st := mustStore(t, encrypted.New(ring(t), crumb.WithClock(clk.Now)), cookiestore.Options[account]{
		Name: "sid", InsecureHTTP: true, Now: clk.Now, OnError: hook.add,
		IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour})
	h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		if r.URL.Path == "/slow" {
			clk.Advance(time.Second)
		}
		s.Data.Failed++
		io.WriteString(w, "ok")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]

	clk.Advance(time.Hour - time.Second)
	req := httptest.NewRequest("GET", "/slow", nil)
	req.Header.Set("Cookie", cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "ok" {
		t.Fatalf("status %d body %q", rec.Code, rec.Body.String())
	}
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 1 || !strings.HasPrefix(sc[0], "sid=;") || !strings.Contains(sc[0], "Max-Age=0") {
		t.Fatalf("Set-Cookie %q", sc)
	}
	if rec.Header().Get("Cache-Control") != "private, no-store" || rec.Header().Get("Vary") != "Cookie" {
		t.Fatalf("cache headers %v", rec.Header())
	}
	if errs := hook.take(); len(errs) != 1 || !errors.Is(errs[0], cookiestore.ErrExpired) {
		t.Fatalf("hook: %v", errs)
	}
}

// TestLateGet checks what the middleware reports about a session the
// handler first touches after the response started: reading it
// (including its flashes) is no change, writing to it is one.
func TestLateGet(t *testing.T) {
	hook := &hookErrs{}
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{Name: "sid", InsecureHTTP: true, OnError: hook.add})
	rec := httptest.NewRecorder()
	st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := st.Get(r.Context())
		s.Data.Email = "a"
		s.Flash("n", "hello")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]

	cases := []struct {
		name     string
		after    func(s *cookiestore.Session[account])
		reported bool
	}{
		{"read flashes", func(s *cookiestore.Session[account]) { s.Flashes("n") }, false},
		{"read data", func(s *cookiestore.Session[account]) { _ = s.Data.Email }, false},
		{"typed flashes", func(s *cookiestore.Session[account]) { _, _ = cookiestore.FlashValues[string](s, "n") }, false},
		{"change data", func(s *cookiestore.Session[account]) { s.Data.Email = "b" }, true},
		{"add a flash", func(s *cookiestore.Session[account]) { s.Flash("m", "x") }, true},
		{"keep", func(s *cookiestore.Session[account]) { s.Keep("n") }, true},
		{"destroy", func(s *cookiestore.Session[account]) { s.Destroy() }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", cookie)
			rec := httptest.NewRecorder()
			st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "body")
				s := st.Get(r.Context())
				if s.IsNew() || len(s.Flashes("n")) != 1 {
					t.Errorf("session not loaded: %v", s.Err())
				}
				tc.after(s)
			})).ServeHTTP(rec, req)
			errs := hook.take()
			if got := len(errs) == 1 && errors.Is(errs[0], cookiestore.ErrHeadersSent); got != tc.reported || len(errs) > 1 {
				t.Fatalf("reported %v, want ErrHeadersSent: %v", errs, tc.reported)
			}
		})
	}
}

// TestCacheHeadersWithoutSetCookie checks the headers of a response
// that used the session but sends no Set-Cookie: it varies on Cookie,
// and when the session came from a cookie no shared cache may store it.
func TestCacheHeadersWithoutSetCookie(t *testing.T) {
	hook := &hookErrs{}
	st := mustStore(t, encrypted.New(ring(t)), cookiestore.Options[account]{Name: "sid", InsecureHTTP: true, OnError: hook.add})
	rec := httptest.NewRecorder()
	st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.Get(r.Context()).Data.Email = "ada"
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]

	cases := []struct {
		name            string
		cookie          bool
		get             bool
		cacheControl    []string // set by the handler
		vary            []string // set by the handler
		wantCache       string
		wantVary        string
		wantSetCookie   bool
		handlerBodyUser bool
	}{
		{"public page from a session", true, true, []string{"public, max-age=600"}, nil, "private, max-age=600", "Cookie", false, true},
		{"no Cache-Control", true, true, nil, nil, "private", "Cookie", false, true},
		{"s-maxage", true, true, []string{"s-maxage=600, max-age=60"}, nil, "private, max-age=60", "Cookie", false, true},
		{"two headers", true, true, []string{"public", "max-age=600"}, nil, "private, max-age=600", "Cookie", false, true},
		{"already private", true, true, []string{"private, max-age=60"}, nil, "private, max-age=60", "Cookie", false, true},
		{"no-store", true, true, []string{"no-store"}, nil, "no-store", "Cookie", false, true},
		{"handler's Vary kept", true, true, []string{"public"}, []string{"Accept-Encoding"}, "private", "Accept-Encoding, Cookie", false, true},
		{"handler already varies on Cookie", true, true, nil, []string{"cookie"}, "private", "cookie", false, true},
		{"new session", false, true, []string{"public, max-age=600"}, nil, "public, max-age=600", "Cookie", false, false},
		{"session not used", true, false, []string{"public, max-age=600"}, nil, "public, max-age=600", "", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			if tc.cookie {
				req.Header.Set("Cookie", cookie)
			}
			rec := httptest.NewRecorder()
			st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, v := range tc.cacheControl {
					w.Header().Add("Cache-Control", v)
				}
				for _, v := range tc.vary {
					w.Header().Add("Vary", v)
				}
				if tc.get {
					io.WriteString(w, "hello "+st.Get(r.Context()).Data.Email)
				} else {
					io.WriteString(w, "static")
				}
			})).ServeHTTP(rec, req)
			if got := strings.Join(rec.Header().Values("Cache-Control"), ", "); got != tc.wantCache {
				t.Errorf("Cache-Control %q, want %q", got, tc.wantCache)
			}
			if got := strings.Join(rec.Header().Values("Vary"), ", "); got != tc.wantVary {
				t.Errorf("Vary %q, want %q", got, tc.wantVary)
			}
			if got := rec.Header().Get("Set-Cookie") != ""; got != tc.wantSetCookie {
				t.Errorf("Set-Cookie %v", rec.Header().Values("Set-Cookie"))
			}
			if got := strings.Contains(rec.Body.String(), "ada"); got != tc.handlerBodyUser {
				t.Errorf("body %q", rec.Body.String())
			}
			if errs := hook.take(); len(errs) != 0 {
				t.Errorf("errors %v", errs)
			}
		})
	}
	// Save, the explicit API, adds the same headers.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", cookie)
	s, err := st.Load(req)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	w.Header().Set("Cache-Control", "public, max-age=600")
	if err := st.Save(context.Background(), w, s); err != nil || w.Header().Get("Set-Cookie") != "" ||
		w.Header().Get("Cache-Control") != "private, max-age=600" || w.Header().Get("Vary") != "Cookie" {
		t.Fatalf("Save: %v, headers %v", err, w.Header())
	}
}

func TestPrivateCacheControl(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "private",
		"public":                          "private",
		"public, max-age=600":             "private, max-age=600",
		"Public, S-MaxAge=60, max-age=5":  "private, max-age=5",
		"max-age=0, must-revalidate":      "private, max-age=0, must-revalidate",
		"private":                         "private",
		"private, max-age=60":             "private, max-age=60",
		"NO-STORE":                        "NO-STORE",
		"public, no-store":                "public, no-store",
		`no-cache="Set-Cookie, public"`:   `private, no-cache="Set-Cookie, public"`,
		`public, private="Set-Cookie"`:    `private, private="Set-Cookie"`,
		"immutable, public, max-age=9999": "private, immutable, max-age=9999",
	} {
		if got := cookiestore.PrivateCacheControl(in); got != want {
			t.Errorf("PrivateCacheControl(%q) = %q, want %q", in, got, want)
		}
	}
}
