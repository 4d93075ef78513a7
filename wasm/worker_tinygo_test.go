package wasm_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
)

// tinyGoEcho builds the echo module with TinyGo (-target=wasm
// -no-debug) and returns it with TinyGo's own wasm_exec.js.
func tinyGoEcho(t *testing.T) (wasmPath, execJS string) {
	t.Helper()
	tinygo := servicetest.TinyGo(t)
	execJS, err := servicetest.TinyGoWasmExecJS(tinygo)
	if err != nil {
		servicetest.Fail(t, err)
	}
	wasmPath = builds.Once(t, "echo-tinygo.wasm", func(out string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		_, err := servicetest.TinyGoBuild(ctx, tinygo, servicetest.ModuleRoot(t), "./wasm/internal/echo", out, "-target=wasm", "-no-debug")
		return err
	})
	return wasmPath, execJS
}

// startTinyGoEcho serves the TinyGo echo module in workerd through the
// shim and TinyGo's wasm_exec.js.
func startTinyGoEcho(t *testing.T, async bool, origin string) *servicetest.Workerd {
	t.Helper()
	path, execJS := tinyGoEcho(t)
	mods := workerModules(t, path)
	for i := range mods {
		if mods[i].Name == "wasm_exec.js" {
			mods[i].Path = execJS
		}
	}
	bindings := map[string]string{"CRUMB_KEYS": must(keys.GenerateRing(nil)).Export(), "ORIGIN": origin}
	if async {
		bindings["ASYNC"] = "1"
	}
	return servicetest.StartWorkerd(t, servicetest.WorkerdConfig{Modules: mods, Bindings: bindings})
}

// TestWorkerTinyGo serves a TinyGo build through the same shim: its
// settings arrive from the worker's env (TinyGo's os.Getenv sees none
// of them, so a module reading them there could not even parse its
// ring), and an exit of its Go program (a panic: TinyGo traps, and its
// wasm_exec.js has no go.exit hook) fails the requests in flight at
// once and the next request gets a fresh instance.
func TestWorkerTinyGo(t *testing.T) {
	t.Run("settings from env", func(t *testing.T) {
		w := startTinyGoEcho(t, false, "http://127.0.0.1:1")
		ctx := servicetest.Context(t, time.Minute)
		c := noRedirects()
		r := do(t, ctx, c, "GET", w.URL+"/echo", nil, nil)
		if r.status != 200 {
			t.Fatalf("TinyGo echo: %d %q\nworkerd log:\n%s", r.status, r.body, w.Log())
		}
		// /bench seals and opens with the ring from CRUMB_KEYS.
		if r := do(t, ctx, c, "GET", w.URL+"/bench", nil, http.Header{}); r.status != 200 {
			t.Fatalf("TinyGo /bench: %d %q", r.status, r.body)
		}
	})
	t.Run("exit", func(t *testing.T) {
		checkGoExit(t, func(origin string) *servicetest.Workerd {
			return startTinyGoEcho(t, true, origin)
		})
	})
}

// TestWorkerProtocolMismatch serves the module with a shim that
// announces another protocol, as a shim copied from another crumb
// version would: every request gets a bare 500, and the console names
// both versions.
func TestWorkerProtocolMismatch(t *testing.T) {
	path := build(t, "echo.wasm", "js", "./wasm/internal/echo")
	mods := workerModules(t, path)
	shim, err := os.ReadFile(filepath.Join(servicetest.ModuleRoot(t), "wasm", "worker", "crumb-worker.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "const PROTOCOL = 2;"
	if !strings.Contains(string(shim), want) {
		t.Fatalf("crumb-worker.mjs does not declare %q (worker.Protocol)", want)
	}
	old := filepath.Join(t.TempDir(), "crumb-worker.mjs")
	if err := os.WriteFile(old, []byte(strings.Replace(string(shim), want, "const PROTOCOL = 1;", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range mods {
		if mods[i].Name == "crumb-worker.mjs" {
			mods[i].Path = old
		}
	}
	w := servicetest.StartWorkerd(t, servicetest.WorkerdConfig{Modules: mods, Bindings: map[string]string{
		"CRUMB_KEYS": must(keys.GenerateRing(nil)).Export(),
	}})
	ctx := servicetest.Context(t, time.Minute)
	if r := do(t, ctx, noRedirects(), "GET", w.URL+"/echo", nil, nil); r.status != 500 || string(r.body) != "internal error\n" {
		t.Fatalf("mismatched shim: %d %q, want a bare 500", r.status, r.body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(w.Log(), "crumb-worker.mjs speaks protocol 1, the Go module 2") ||
		!strings.Contains(w.Log(), "(shim: 1, module: 2)") {
		if time.Now().After(deadline) {
			t.Fatalf("the mismatch is not named in workerd's log:\n%s", w.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
