package wasm_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm"
)

// HardCeilingGzip is Cloudflare's free-plan limit on a worker's
// compressed size, stated by Cloudflare as "3 MB" and read here as
// 3,000,000 bytes, the smaller of its two readings: an edge module
// above it may not deploy there.
const HardCeilingGzip = 3_000_000

// entryModule is the three-line main module a user writes around the
// shim; the tests use it verbatim.
const entryModule = `import { crumbWorker } from "./crumb-worker.mjs";
import mod from "./app.wasm";
export default crumbWorker(mod);
`

// workerModules returns the modules of a worker serving the GOOS=js
// module at wasmPath through the shim and Go's own wasm_exec.js.
func workerModules(t testing.TB, wasmPath string) []servicetest.WorkerdModule {
	t.Helper()
	execJS, err := servicetest.WasmExecJS()
	if err != nil {
		servicetest.Fail(t, err)
	}
	entry := filepath.Join(t.TempDir(), "worker.mjs")
	if err := os.WriteFile(entry, []byte(entryModule), 0o600); err != nil {
		t.Fatal(err)
	}
	return []servicetest.WorkerdModule{
		{Name: "worker.mjs", Path: entry},
		{Name: "crumb-worker.mjs", Path: filepath.Join(servicetest.ModuleRoot(t), "wasm", "worker", "crumb-worker.mjs")},
		{Name: "wasm_exec.js", Path: execJS},
		{Name: "app.wasm", Path: wasmPath},
	}
}

// checkCeiling fails the test when a worker module is over the hard
// ceiling.
func checkCeiling(t testing.TB, path string) {
	t.Helper()
	_, gz, err := servicetest.Sizes(path)
	if err != nil {
		t.Fatal(err)
	}
	if gz > HardCeilingGzip {
		t.Errorf("%s is %d bytes gzip -9, over the 3,000,000-byte hard ceiling", filepath.Base(path), gz)
	}
}

func noRedirects() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, ctx context.Context, c *http.Client, method, url string, body []byte, h http.Header) result {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, b}
}

// testOrigin records what reached it through the worker.
func testOrigin(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/forward"):
			body, _ := io.ReadAll(r.Body)
			var lines []string
			for k, vs := range r.Header {
				for _, v := range vs {
					lines = append(lines, strings.ToLower(k)+": "+v)
				}
			}
			sort.Strings(lines)
			w.Header().Add("Set-Cookie", "origin=from-origin; Path=/")
			w.Header().Set("X-Origin", "1")
			io.WriteString(w, r.Method+" "+r.URL.RequestURI()+"\n"+strings.Join(lines, "\n")+"\n\n"+string(body))
		case r.URL.Path == "/big":
			// size bytes of body; chunked=1 sends it without a
			// Content-Length, in flushed pieces, so only a cap enforced
			// while streaming can stop it.
			n, _ := strconv.Atoi(r.URL.Query().Get("size"))
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			if r.URL.Query().Get("chunked") != "1" {
				w.Header().Set("Content-Length", strconv.Itoa(n))
			}
			for n > 0 {
				k := min(n, len(chunk))
				if _, err := w.Write(chunk[:k]); err != nil {
					return
				}
				if f, ok := w.(http.Flusher); ok {
					f.Flush()
				}
				n -= k
			}
		case r.URL.Path == "/fetched":
			body, _ := io.ReadAll(r.Body)
			if r.Method != "POST" || r.Header.Get("X-From") != "go" || string(body) != "ping" {
				http.Error(w, "unexpected request", http.StatusBadRequest)
				return
			}
			w.Header().Add("Set-Cookie", "f1=1; Path=/")
			w.Header().Add("Set-Cookie", "f2=2; Path=/")
			w.Header().Set("X-Origin", "1")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, "pong")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// measure sends n sequential requests and returns the median and 90th
// percentile. It reports figures; it asserts nothing about them.
func measure(t testing.TB, ctx context.Context, c *http.Client, url string, n int, h http.Header) (p50, p90 time.Duration) {
	t.Helper()
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		r := do(t, ctx, c, "GET", url, nil, h)
		ds[i] = time.Since(start)
		if r.status != 200 {
			t.Fatalf("request %d: status %d: %s", i, r.status, r.body)
		}
	}
	slices.Sort(ds)
	return ds[n/2], ds[n*9/10]
}

func startEcho(t *testing.T, async bool, origin string) (*servicetest.Workerd, time.Duration, *http.Client) {
	t.Helper()
	path := build(t, "echo.wasm", "js", "./wasm/internal/echo")
	checkCeiling(t, path)
	ring := must(keys.GenerateRing(nil))
	bindings := map[string]string{"CRUMB_KEYS": ring.Export(), "ORIGIN": origin}
	if async {
		bindings["ASYNC"] = "1"
	}
	w := servicetest.StartWorkerd(t, servicetest.WorkerdConfig{Modules: workerModules(t, path), Bindings: bindings})
	c := noRedirects()
	ctx := servicetest.Context(t, time.Minute)
	start := time.Now()
	r := do(t, ctx, c, "GET", w.URL+"/echo", nil, nil)
	first := time.Since(start)
	if r.status != 200 {
		t.Fatalf("first request: %d %s\nworkerd log:\n%s", r.status, r.body, w.Log())
	}
	return w, first, c
}

func TestWorkerBridge(t *testing.T) {
	origin := testOrigin(t)
	w, first, c := startEcho(t, false, origin.URL)
	ctx := servicetest.Context(t, 2*time.Minute)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workerd log:\n%s", w.Log())
		}
	})

	t.Run("request and response cross intact", func(t *testing.T) {
		body := make([]byte, 256)
		for i := range body {
			body[i] = byte(i)
		}
		r := do(t, ctx, c, "POST", w.URL+"/echo?q=1&r=%20", body, http.Header{
			"Cookie":   {"x=1; y=2"},
			"X-Custom": {"hello: world"},
			"X-Empty":  {""},
		})
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		if got := r.header.Values("Set-Cookie"); !slices.Equal(got, []string{"a=1; Path=/; HttpOnly", "b=2; Path=/; Expires=Wed, 21 Oct 2065 07:28:00 GMT"}) {
			t.Errorf("Set-Cookie headers %q, want two separate ones", got)
		}
		req, err := wasm.DecodeRequest(r.body)
		if err != nil {
			t.Fatalf("echoed frame: %v", err)
		}
		if req.Method != "POST" || !strings.HasSuffix(req.URL, "/echo?q=1&r=%20") {
			t.Errorf("Go saw %s %s", req.Method, req.URL)
		}
		for name, want := range map[string]string{"cookie": "x=1; y=2", "x-custom": "hello: world", "content-length": "256"} {
			if got := req.Header.Get(name); got != want {
				t.Errorf("Go saw %s %q, want %q", name, got, want)
			}
		}
		if !bytes.Equal(req.Body, body) {
			t.Errorf("Go saw a %d-byte body, want the 256 bytes sent", len(req.Body))
		}
	})

	for _, tc := range []struct {
		path     string
		status   int
		location string
	}{
		{"/redirect", 303, "/login"},
		{"/nocontent", 204, ""},
		{"/missing", 404, ""},
		{"/panic", 500, ""},
		{"/nil", 500, ""},
		{"/badheader", 500, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, ctx, c, "GET", w.URL+tc.path, nil, nil)
			if r.status != tc.status || r.header.Get("Location") != tc.location {
				t.Fatalf("status %d location %q, want %d %q", r.status, r.header.Get("Location"), tc.status, tc.location)
			}
			if r.header.Get("X-Bad") != "" || len(r.header.Values("Set-Cookie")) > 0 {
				t.Fatalf("a refused header got through: %v", r.header)
			}
			// The instance survives panics and bad answers.
			if r := do(t, ctx, c, "GET", w.URL+"/echo", nil, nil); r.status != 200 {
				t.Fatalf("after %s: status %d", tc.path, r.status)
			}
		})
	}

	t.Run("forward", func(t *testing.T) {
		r := do(t, ctx, c, "POST", w.URL+"/forward/a?b=c", []byte("payload"), http.Header{
			"X-Strip": {"client-sent"},
			"X-Keep":  {"kept"},
		})
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		seen := string(r.body)
		for _, want := range []string{"POST /forward/a?b=c\n", "x-forwarded-by: crumb\n", "x-keep: kept\n", "\n\npayload"} {
			if !strings.Contains(seen, want) {
				t.Errorf("origin did not see %q:\n%s", want, seen)
			}
		}
		if strings.Contains(seen, "x-strip") {
			t.Errorf("a header the handler removed reached the origin:\n%s", seen)
		}
		// The origin's own Set-Cookie for a name wins over the edge's.
		if got := r.header.Values("Set-Cookie"); !slices.Equal(got, []string{"origin=from-origin; Path=/", "fw=1; Path=/"}) {
			t.Errorf("Set-Cookie %q", got)
		}
		if r.header.Get("X-Edge") != "1" || r.header.Get("X-Origin") != "1" {
			t.Errorf("headers %v", r.header)
		}
	})

	t.Run("latency", func(t *testing.T) {
		// Carry the cookies so the steady state opens and re-seals
		// real values, as the edge bar's JavaScript worker did.
		r := do(t, ctx, c, "GET", w.URL+"/bench", nil, nil)
		var cookies []string
		for _, sc := range r.header.Values("Set-Cookie") {
			cookies = append(cookies, strings.SplitN(sc, ";", 2)[0])
		}
		h := http.Header{"Cookie": {strings.Join(cookies, "; ")}}
		if r := do(t, ctx, c, "GET", w.URL+"/bench", nil, h); string(r.body) != "count=1" {
			t.Fatalf("cookies did not round-trip: %q", r.body)
		}
		p50, p90 := measure(t, ctx, c, w.URL+"/bench", 200, h)
		e50, _ := measure(t, ctx, c, w.URL+"/echo", 200, nil)
		figure(t, "workerd echo (sync):  listening %v, first request %v, /bench p50 %v p90 %v (200 sequential; HMAC open + AES open/seal + 2 Set-Cookie); bridge only (/echo) p50 %v",
			w.Listening.Round(time.Millisecond), first.Round(time.Millisecond), p50.Round(time.Microsecond), p90.Round(time.Microsecond), e50.Round(time.Microsecond))
	})
}

// baselineWorker is plain JavaScript answering like /echo does without
// Go: what the runtime and the test's HTTP client cost by themselves.
const baselineWorker = `export default {
  async fetch(request) {
    const h = new Headers({ "content-type": "text/plain" });
    h.append("set-cookie", "a=1; Path=/");
    h.append("set-cookie", "b=2; Path=/");
    return new Response(request.method + " " + request.url, { headers: h });
  },
};
`

// TestWorkerBaseline measures a JavaScript worker with no Go, so the
// bridge's figures can be read against what workerd and the client
// cost on the same machine in the same run.
func TestWorkerBaseline(t *testing.T) {
	entry := filepath.Join(t.TempDir(), "baseline.mjs")
	if err := os.WriteFile(entry, []byte(baselineWorker), 0o600); err != nil {
		t.Fatal(err)
	}
	w := servicetest.StartWorkerd(t, servicetest.WorkerdConfig{Modules: []servicetest.WorkerdModule{{Name: "baseline.mjs", Path: entry}}})
	ctx := servicetest.Context(t, time.Minute)
	c := noRedirects()
	start := time.Now()
	if r := do(t, ctx, c, "GET", w.URL+"/", nil, nil); r.status != 200 || len(r.header.Values("Set-Cookie")) != 2 {
		t.Fatalf("baseline: %d %v", r.status, r.header)
	}
	first := time.Since(start)
	p50, p90 := measure(t, ctx, c, w.URL+"/", 200, nil)
	figure(t, "workerd plain JS baseline (no Go): listening %v, first request %v, p50 %v p90 %v (200 sequential) [%s, %s, %d CPUs]",
		w.Listening.Round(time.Millisecond), first.Round(time.Millisecond), p50.Round(time.Microsecond), p90.Round(time.Microsecond),
		servicetest.WorkerdVersion(t), runtime.Version(), runtime.NumCPU())
}

func TestWorkerBridgeAsync(t *testing.T) {
	origin := testOrigin(t)
	w, first, c := startEcho(t, true, origin.URL)
	ctx := servicetest.Context(t, 2*time.Minute)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workerd log:\n%s", w.Log())
		}
	})

	r := do(t, ctx, c, "GET", w.URL+"/fetch", nil, nil)
	if r.status != 201 || string(r.body) != "pong" {
		t.Fatalf("fetch from Go: %d %q", r.status, r.body)
	}
	if got := r.header.Values("Set-Cookie"); !slices.Equal(got, []string{"f1=1; Path=/", "f2=2; Path=/"}) {
		t.Errorf("Set-Cookie from the fetched response: %q", got)
	}
	r = do(t, ctx, c, "GET", w.URL+"/fetch-refused", nil, nil)
	if r.status != 502 || strings.Contains(string(r.body), "secret-key-in-url") {
		t.Fatalf("refused fetch: %d %q (the error must not quote the URL)", r.status, r.body)
	}
	if r := do(t, ctx, c, "GET", w.URL+"/panic", nil, nil); r.status != 500 {
		t.Fatalf("panic: %d", r.status)
	}

	// The fetch bridge caps response bodies while they stream in.
	for _, tc := range []struct {
		name  string
		query string
		want  int
	}{
		{"at the limit", "limit=1024&size=1024", 200},
		{"one byte over, Content-Length", "limit=1024&size=1025", 413},
		{"one byte over, streamed", "limit=1024&size=1025&chunked=1", 413},
		{"far over, streamed", "limit=100000&size=8000000&chunked=1", 413},
		{"empty", "limit=1&size=0", 200},
		{"default limit, at it", "size=" + strconv.Itoa(4<<20) + "&chunked=1", 200},
		{"default limit, over it", "size=" + strconv.Itoa(4<<20+1) + "&chunked=1", 413},
	} {
		t.Run("fetch cap/"+tc.name, func(t *testing.T) {
			r := do(t, ctx, c, "GET", w.URL+"/fetch-big?"+tc.query, nil, nil)
			if r.status != tc.want {
				t.Fatalf("%s: %d %q, want %d", tc.query, r.status, r.body, tc.want)
			}
			if r.status == 413 && string(r.body) != "worker: fetched response body over the limit" {
				t.Errorf("error %q", r.body)
			}
		})
	}
	if r := do(t, ctx, c, "GET", w.URL+"/echo", nil, nil); r.status != 200 {
		t.Fatalf("after the refused fetches: %d", r.status)
	}

	p50, p90 := measure(t, ctx, c, w.URL+"/bench", 200, nil)
	figure(t, "workerd echo (async): listening %v, first request %v, /bench p50 %v p90 %v (200 sequential, Promise per request)",
		w.Listening.Round(time.Millisecond), first.Round(time.Millisecond), p50.Round(time.Microsecond), p90.Round(time.Microsecond))
}

// TestWorkerGoExit kills the Go program (a panic in a goroutine, which
// no recover catches) while a request is in flight in Async mode: that
// request and the one that killed it answer 500 at once instead of
// never settling, and the next request gets a fresh instance.
// TestWorkerTinyGo runs the same check on a TinyGo build.
func TestWorkerGoExit(t *testing.T) {
	checkGoExit(t, func(origin string) *servicetest.Workerd {
		w, _, _ := startEcho(t, true, origin)
		return w
	})
}

// checkGoExit starts an echo worker in Async mode with start and kills
// its Go program with a request in flight.
func checkGoExit(t *testing.T, start func(origin string) *servicetest.Workerd) {
	arrived := make(chan struct{}, 1)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/arrived" {
			select {
			case arrived <- struct{}{}:
			default:
			}
		}
	}))
	t.Cleanup(origin.Close)
	w := start(origin.URL)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workerd log:\n%s", w.Log())
		}
	})
	ctx := servicetest.Context(t, time.Minute)
	// The handler sleeps ten minutes; without the fix the client gives
	// up at its timeout and the test fails there.
	c := &http.Client{Timeout: 20 * time.Second}

	type answer struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", w.URL+"/sleep", nil)
		resp, err := c.Do(req)
		if err != nil {
			inflight <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		inflight <- answer{status: resp.StatusCode, body: string(b), err: err}
	}()
	select {
	case <-arrived:
	case a := <-inflight:
		t.Fatalf("/sleep answered before it slept: %+v", a)
	case <-ctx.Done():
		t.Fatal("/sleep never reached Go")
	}
	if r := do(t, ctx, c, "GET", w.URL+"/die", nil, nil); r.status != 500 || string(r.body) != "internal error\n" {
		t.Fatalf("/die: %d %q", r.status, r.body)
	}
	// The shim's own answer, not the runtime's: workerd, left alone,
	// cancels a request that can never settle with its own 500
	// ("Internal Server Error"), seconds later.
	if a := <-inflight; a.err != nil || a.status != 500 || a.body != "internal error\n" {
		t.Fatalf("the request in flight when Go exited: %+v, want the shim's 500", a)
	}
	if r := do(t, ctx, c, "GET", w.URL+"/echo", nil, nil); r.status != 200 {
		t.Fatalf("after the exit: %d %q, want a fresh instance", r.status, r.body)
	}
	if !strings.Contains(w.Log(), "echo: asked to die") {
		t.Errorf("Go's panic message is not in workerd's log")
	}
}

// TestHTTPHandlerMode serves a net/http ServeMux in workerd through
// package httpworker (stock Go only).
func TestHTTPHandlerMode(t *testing.T) {
	path := build(t, "httpecho.wasm", "js", "./wasm/internal/httpecho")
	checkCeiling(t, path)
	w := servicetest.StartWorkerd(t, servicetest.WorkerdConfig{Modules: workerModules(t, path)})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workerd log:\n%s", w.Log())
		}
	})
	ctx := servicetest.Context(t, time.Minute)
	c := noRedirects()
	start := time.Now()
	r := do(t, ctx, c, "POST", w.URL+"/hello/gopher?q=x", []byte("body bytes"), http.Header{"X-Test": {"t"}, "Cookie": {"in=v"}})
	first := time.Since(start)
	if r.status != 202 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	host := strings.TrimPrefix(w.URL, "http://")
	if want := "gopher|x|t|v|body bytes|" + host; string(r.body) != want {
		t.Errorf("body %q, want %q", r.body, want)
	}
	if got := r.header.Values("Set-Cookie"); !slices.Equal(got, []string{"a=1; Path=/; HttpOnly", "b=2; Path=/"}) {
		t.Errorf("Set-Cookie %q", got)
	}
	if r := do(t, ctx, c, "GET", w.URL+"/go", nil, nil); r.status != 302 || r.header.Get("Location") != "/elsewhere" {
		t.Errorf("redirect: %d %q", r.status, r.header.Get("Location"))
	}
	if r := do(t, ctx, c, "GET", w.URL+"/panic", nil, nil); r.status != 500 {
		t.Errorf("panic: %d", r.status)
	}
	if r := do(t, ctx, c, "GET", w.URL+"/missing", nil, nil); r.status != 404 {
		t.Errorf("missing: %d", r.status)
	}
	p50, p90 := measure(t, ctx, c, w.URL+"/ok", 200, nil)
	figure(t, "workerd http.Handler mode: listening %v, first request %v, p50 %v p90 %v (200 sequential)",
		w.Listening.Round(time.Millisecond), first.Round(time.Millisecond), p50.Round(time.Microsecond), p90.Round(time.Microsecond))
}
