package edgegate

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
)

// gateTags and tinyGoFlags are the documented gate builds (docs/edge.md).
const gateTags = "crumb_nohttp,crumb_nojson"

var tinyGoFlags = []string{"-target=wasm", "-no-debug", "-tags=" + gateTags}

// gate is one worker of the shared workerd process.
type gate struct {
	name    string
	modules map[string]string // module name -> file
	addr    string
	client  *http.Client

	first   time.Duration // from process start to its first response
	samples map[int][]time.Duration
}

// TestEdgeLatency serves the TinyGo gate, the stock-Go gate and the
// JavaScript gate (jsgate.mjs) from one workerd process and measures,
// interleaved, an authenticated request for a protected page forwarded
// to one origin on loopback: the first response after the process
// starts (the three first requests sent together once workerd listens),
// then p50 and p99 with 1 and 8 connections. It logs the table and the
// ratios to the JavaScript gate; it asserts only that every gate
// forwarded the right identity.
func TestEdgeLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("latency figures; -short skips them")
	}
	root := servicetest.ModuleRoot(t)
	workerd := servicetest.NodeModule(t, servicetest.WorkerdBin)
	tinygo := servicetest.TinyGo(t)
	ctx := servicetest.Context(t, 20*time.Minute)

	goWasm := filepath.Join(t.TempDir(), "gate.wasm")
	if _, err := servicetest.GoBuild(ctx, root, "js", "./examples/edge-gate", goWasm, "-tags="+gateTags, "-ldflags=-s -w"); err != nil {
		t.Fatal(err)
	}
	tgWasm := filepath.Join(t.TempDir(), "gate-tinygo.wasm")
	if _, err := servicetest.TinyGoBuild(ctx, tinygo, root, "./examples/edge-gate", tgWasm, tinyGoFlags...); err != nil {
		t.Fatal(err)
	}
	goExec, err := servicetest.WasmExecJS()
	if err != nil {
		servicetest.Fail(t, err)
	}
	tgExec, err := servicetest.TinyGoWasmExecJS(tinygo)
	if err != nil {
		t.Fatal(err)
	}
	shim := filepath.Join(root, "wasm", "worker", "crumb-worker.mjs")
	main := filepath.Join(root, "examples", "edge-gate", "worker.mjs")
	jsgate, err := filepath.Abs("jsgate.mjs")
	if err != nil {
		t.Fatal(err)
	}

	// One origin for all three; it counts requests that arrive without
	// the identity the cookie holds.
	const email = "alice@example.com"
	var wrong atomic.Int64
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Crumb-User") != email {
			wrong.Add(1)
		}
		io.WriteString(w, "hello "+r.Header.Get("X-Crumb-User"))
	}))
	t.Cleanup(origin.Close)

	ring := must(keys.GenerateRing(nil))
	cookie := mint(t, ring, email)
	bindings := map[string]string{
		"SESSION_MODE":     "encrypted",
		"SESSION_KEYS":     ring.Export(),
		"SESSION_INSECURE": "1",
		"PROTECTED_PATHS":  "/private/",
		"LOGIN_PATH":       "/",
		"ORIGIN_URL":       origin.URL,
	}
	gates := []*gate{
		{name: "TinyGo gate", modules: map[string]string{"worker.mjs": main, "crumb-worker.mjs": shim, "wasm_exec.js": tgExec, "gate.wasm": tgWasm}},
		{name: "stock Go gate", modules: map[string]string{"worker.mjs": main, "crumb-worker.mjs": shim, "wasm_exec.js": goExec, "gate.wasm": goWasm}},
		{name: "JavaScript gate", modules: map[string]string{"worker.mjs": jsgate}},
	}
	for _, g := range gates {
		g.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		g.samples = map[int][]time.Duration{}
	}

	get := func(g *gate) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+g.addr+"/private/page", nil)
		req.Header.Set("Cookie", "session="+cookie)
		req.Header.Set("X-Crumb-User", "mallory@example.com") // a forgery each gate must drop
		resp, err := g.client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "hello "+email {
			return fmt.Errorf("%s: %d %q", g.name, resp.StatusCode, body)
		}
		return nil
	}

	// First response: workerd compiles every worker's modules before it
	// answers anything, so each gate gets processes of its own, started
	// in turn (the order rotating over three rounds); the figure is the
	// median from process start to the first complete response.
	firsts := map[*gate][]time.Duration{}
	for r := 0; r < 3; r++ {
		for k := range gates {
			g := gates[(r+k)%len(gates)]
			start := time.Now()
			proc := serve(t, workerd, []*gate{g}, bindings)
			if err := get(g); err != nil {
				t.Fatalf("first request: %v\nworkerd log:\n%s", err, proc.Tail(4000))
			}
			firsts[g] = append(firsts[g], time.Since(start))
			proc.Stop()
			g.client.CloseIdleConnections()
		}
	}
	for _, g := range gates {
		g.first = pct(firsts[g], 50)
	}

	// Latency: the three gates in one process.
	start := time.Now()
	proc := serve(t, workerd, gates, bindings)
	listening := time.Since(start)
	for _, g := range gates {
		if err := get(g); err != nil {
			t.Fatalf("first request: %v\nworkerd log:\n%s", err, proc.Tail(4000))
		}
	}

	// Interleaved rounds: every gate gets a batch in turn, the order
	// rotating, so drift in the machine's load hits all three alike.
	const rounds = 10
	perRound := map[int]int{1: 60, 8: 160}
	for _, conns := range []int{1, 8} {
		for r := 0; r < rounds; r++ {
			for k := range gates {
				g := gates[(r+k)%len(gates)]
				ds, err := batch(perRound[conns], conns, func() error { return get(g) })
				if err != nil {
					t.Fatalf("%v\nworkerd log:\n%s", err, proc.Tail(4000))
				}
				g.samples[conns] = append(g.samples[conns], ds...)
			}
		}
	}
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d requests reached the origin without the session's identity", n)
	}

	js := gates[2]
	var b strings.Builder
	fmt.Fprintf(&b, "edge gates in one workerd process (%s, %d CPUs), interleaved; authenticated GET of a protected page forwarded to one origin on loopback; workerd listening after %v; first response: median of 3 processes of their own, from process start\n",
		servicetest.WorkerdVersion(t), runtime.NumCPU(), listening.Round(time.Millisecond))
	fmt.Fprintf(&b, "  %-16s %15s %12s %12s %12s %12s\n", "gate", "first response", "p50 1 conn", "p99 1 conn", "p50 8 conns", "p99 8 conns")
	for _, g := range gates {
		fmt.Fprintf(&b, "  %-16s %15s %12s %12s %12s %12s\n", g.name, ms(g.first),
			ms(pct(g.samples[1], 50)), ms(pct(g.samples[1], 99)), ms(pct(g.samples[8], 50)), ms(pct(g.samples[8], 99)))
	}
	for _, g := range gates[:2] {
		fmt.Fprintf(&b, "  %-16s %14.2fx %11.2fx %11.2fx %11.2fx %11.2fx  (against the JavaScript gate)\n", g.name,
			ratio(g.first, js.first), ratio(pct(g.samples[1], 50), pct(js.samples[1], 50)), ratio(pct(g.samples[1], 99), pct(js.samples[1], 99)),
			ratio(pct(g.samples[8], 50), pct(js.samples[8], 50)), ratio(pct(g.samples[8], 99), pct(js.samples[8], 99)))
	}
	fmt.Fprintf(&b, "  requests per gate: %d with 1 connection, %d with 8; goals (reported, not asserted): TinyGo first response <= 1.5x and p50 <= 1.1x the JavaScript gate's",
		rounds*perRound[1], rounds*perRound[8])
	t.Log(b.String())
	fmt.Println("crumb edge latency figures:")
	for _, l := range strings.Split(b.String(), "\n") {
		fmt.Println("  " + strings.TrimLeft(l, " "))
	}
}

// batch runs n calls of get over conns connections and returns each
// call's duration.
func batch(n, conns int, get func() error) ([]time.Duration, error) {
	out := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				s := time.Now()
				err := get()
				out[i] = time.Since(s)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return out, first
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// mint returns a session cookie's value as the origin would set it:
// cookiestore with the encrypted sealer and its default JSON records.
func mint(t *testing.T, ring *keys.Ring, email string) string {
	t.Helper()
	type account struct {
		Email string `json:"email"`
	}
	st, err := cookiestore.New(encrypted.New(ring), cookiestore.Options[account]{InsecureHTTP: true, IdleTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := st.LoadHeader(context.Background(), "")
	s.Data.Email = email
	lines, err := st.Commit(context.Background(), s)
	if err != nil || len(lines) != 1 {
		t.Fatalf("mint: %v %v", lines, err)
	}
	nv, _, _ := strings.Cut(lines[0], ";")
	return strings.TrimPrefix(nv, "session=")
}

// serve starts workerd serving gates, each on a fresh loopback port,
// and waits until they all accept connections.
func serve(t *testing.T, workerd string, gates []*gate, bindings map[string]string) *servicetest.Process {
	t.Helper()
	dir := t.TempDir()
	for i, g := range gates {
		g.addr = "127.0.0.1:" + strconv.Itoa(servicetest.FreePort(t))
		sub := filepath.Join(dir, "w"+strconv.Itoa(i))
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		for name, path := range g.modules {
			if err := os.Symlink(path, filepath.Join(sub, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	config := filepath.Join(dir, "config.capnp")
	if err := os.WriteFile(config, []byte(capnp(gates, bindings)), 0o600); err != nil {
		t.Fatal(err)
	}
	proc := servicetest.Start(t, workerd, dir, "serve", config)
	for _, g := range gates {
		if err := servicetest.WaitTCP(g.addr, 30*time.Second); err != nil {
			t.Fatalf("%v\n%s", err, proc.Tail(4000))
		}
	}
	return proc
}

// capnp writes the workerd config: one worker and one socket per gate,
// the same text bindings for each, outbound fetches allowed to loopback.
func capnp(gates []*gate, bindings map[string]string) string {
	q := strconv.Quote
	var b strings.Builder
	b.WriteString("using Workerd = import \"/workerd/workerd.capnp\";\n\nconst config :Workerd.Config = (\n  services = [\n")
	for i := range gates {
		fmt.Fprintf(&b, "    (name = \"w%d\", worker = .w%d),\n", i, i)
	}
	b.WriteString("    (name = \"outbound\", network = (allow = [\"public\", \"local\"])),\n  ],\n  sockets = [\n")
	for i, g := range gates {
		fmt.Fprintf(&b, "    (name = \"s%d\", address = %s, http = (), service = \"w%d\"),\n", i, q(g.addr), i)
	}
	b.WriteString("  ],\n);\n")
	names := make([]string, 0, len(bindings))
	for n := range bindings {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, g := range gates {
		fmt.Fprintf(&b, "\nconst w%d :Workerd.Worker = (\n  modules = [\n", i)
		mods := []string{"worker.mjs"} // the main module first
		for n := range g.modules {
			if n != "worker.mjs" {
				mods = append(mods, n)
			}
		}
		slices.Sort(mods[1:])
		for _, n := range mods {
			kind := "esModule"
			if strings.HasSuffix(n, ".wasm") {
				kind = "wasm"
			}
			fmt.Fprintf(&b, "    (name = %s, %s = embed %s),\n", q(n), kind, q("w"+strconv.Itoa(i)+"/"+n))
		}
		b.WriteString("  ],\n  bindings = [\n")
		for _, n := range names {
			fmt.Fprintf(&b, "    (name = %s, text = %s),\n", q(n), q(bindings[n]))
		}
		fmt.Fprintf(&b, "  ],\n  compatibilityDate = %s,\n  globalOutbound = \"outbound\",\n);\n", q(servicetest.DefaultCompatibilityDate))
	}
	return b.String()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
