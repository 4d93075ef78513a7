package wasm_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm"
)

// reactorWorker is JavaScript edge code that uses the reactor through
// crumb-reactor.mjs, the way docs/edge.md describes.
const reactorWorker = `import { CrumbReactor } from "./crumb-reactor.mjs";
import mod from "./crumb.wasm";

let r = null;
const now = () => Math.floor(Date.now() / 1000);

export default {
  async fetch(request, env) {
    if (r === null) {
      r = await CrumbReactor.create(mod);
      r.configure(Number(env.MODE), env.RING, "session");
    }
    const path = new URL(request.url).pathname;
    if (path === "/open") {
      const o = r.open(request.headers.get("x-value") ?? "");
      if (o.error) return new Response(o.error, { status: 401 });
      return new Response(o.payload, { headers: { "x-expires": String(o.expires), "x-rotated": String(o.rotated) } });
    }
    if (path === "/seal") {
      const s = r.seal(new Uint8Array(await request.arrayBuffer()), now() + 3600);
      if (s.error) return new Response(s.error, { status: 400 });
      return new Response(s.value);
    }
    if (path === "/renew") {
      const o = r.open(request.headers.get("x-value") ?? "");
      if (o.error) return new Response(o.error, { status: 401 });
      const s = r.seal(o.payload, now() + 3600);
      const h = new Headers();
      h.append("set-cookie", "session=" + s.value + "; Path=/; HttpOnly");
      return new Response("ok", { headers: h });
    }
    if (path === "/loop") {
      // n seal+open pairs in one request: enough allocation for the
      // guest's garbage collector to run many times.
      const n = Number(new URL(request.url).searchParams.get("n"));
      const payload = new Uint8Array(200).fill(120);
      for (let i = 0; i < n; i++) {
        const s = r.seal(payload, now() + 3600);
        if (s.error) return new Response("seal " + i + ": " + s.error, { status: 500 });
        const o = r.open(s.value);
        if (o.error || o.payload.length !== payload.length) return new Response("open " + i + ": " + o.error, { status: 500 });
      }
      return new Response(String(n));
    }
    return new Response("not found", { status: 404 });
  },
};
`

// TestReactorInWorkerd runs the WASI reactor in workerd through
// crumb-reactor.mjs, its small WASI shim: JavaScript opens values native
// Go sealed, seals values native Go opens, and refuses tampering.
//
// It also runs 10,000 seal+open pairs (20,000 calls) through one
// instance: the guest's runtime collects garbage many times on the way,
// and Go's calls poll_oneoff when it does, which the shim must answer.
func TestReactorInWorkerd(t *testing.T) {
	for _, rb := range reactorBuilds {
		t.Run(rb.name, func(t *testing.T) { testReactorInWorkerd(t, rb) })
	}
}

func testReactorInWorkerd(t *testing.T, rb reactorBuild) {
	path := rb.build(t)
	entry := filepath.Join(t.TempDir(), "reactor-worker.mjs")
	if err := os.WriteFile(entry, []byte(reactorWorker), 0o600); err != nil {
		t.Fatal(err)
	}
	ring := must(keys.GenerateRing(nil))
	w := servicetest.StartWorkerd(t, servicetest.WorkerdConfig{
		Modules: []servicetest.WorkerdModule{
			{Name: "reactor-worker.mjs", Path: entry},
			{Name: "crumb-reactor.mjs", Path: filepath.Join(servicetest.ModuleRoot(t), "wasm", "reactor", "crumb-reactor.mjs")},
			{Name: "crumb.wasm", Path: path},
		},
		Bindings: map[string]string{"MODE": "1", "RING": ring.Export()},
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workerd log:\n%s", w.Log())
		}
	})
	ctx := servicetest.Context(t, time.Minute)
	c := noRedirects()
	native := must(wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring.Export()))
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	v := must(native.Seal("session", []byte("alice"), exp))

	start := time.Now()
	r := do(t, ctx, c, "GET", w.URL+"/open", nil, http.Header{"X-Value": {v}})
	first := time.Since(start)
	if r.status != 200 || string(r.body) != "alice" || r.header.Get("X-Expires") != itoa(exp.Unix()) || r.header.Get("X-Rotated") != "false" {
		t.Fatalf("open in workerd: %d %q %v", r.status, r.body, r.header)
	}
	for _, tc := range []struct{ value, want string }{
		{flip(v, len(v)-3), "invalid"},
		{"", "malformed"},
		{must(native.Seal("other", []byte("x"), exp)), "wrong_name"},
		{strings.Repeat("A", 20000), "too_large"},
	} {
		if r := do(t, ctx, c, "GET", w.URL+"/open", nil, http.Header{"X-Value": {tc.value}}); r.status != 401 || string(r.body) != tc.want {
			t.Errorf("open of a bad value: %d %q, want %q", r.status, r.body, tc.want)
		}
	}
	r = do(t, ctx, c, "POST", w.URL+"/seal", []byte("bob"), nil)
	if r.status != 200 {
		t.Fatalf("seal in workerd: %d %q", r.status, r.body)
	}
	o, err := native.Open("session", string(r.body))
	if err != nil || string(o.Payload) != "bob" || o.Expires.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("native open of a value sealed in workerd: %v %q %v", err, o.Payload, o.Expires)
	}
	const pairs = 10000
	start = time.Now()
	if r := do(t, ctx, c, "GET", w.URL+"/loop?n="+itoa(pairs), nil, nil); r.status != 200 || string(r.body) != itoa(pairs) {
		t.Fatalf("%d seal+open pairs in one instance: %d %q", pairs, r.status, r.body)
	}
	loop := time.Since(start)
	p50, p90 := measure(t, ctx, c, w.URL+"/renew", 200, http.Header{"X-Value": {v}})
	figure(t, "workerd JS + WASI reactor (%s): %d seal+open pairs in %v (%v a pair)", rb.name, pairs, loop.Round(time.Millisecond), (loop / pairs).Round(time.Microsecond))
	figure(t, "workerd JS + WASI reactor (%s): listening %v, first request %v, open+seal+Set-Cookie p50 %v p90 %v (200 sequential)",
		rb.name, w.Listening.Round(time.Millisecond), first.Round(time.Millisecond), p50.Round(time.Microsecond), p90.Round(time.Microsecond))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
