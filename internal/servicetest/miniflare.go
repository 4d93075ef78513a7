package servicetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// MiniflareConfig describes a worker served by miniflare (Cloudflare's
// local simulator, which runs workerd and implements KV namespaces with
// their real semantics: expiration, minimum TTL, key and value limits).
type MiniflareConfig struct {
	// Modules, the main module first; as WorkerdModule, by file name.
	Modules []WorkerdModule
	// KVNamespaces are the names of the KV namespace bindings.
	KVNamespaces []string
	// Bindings are text bindings.
	Bindings map[string]string
	// KVPersist is the directory KV data is kept in; a temporary one
	// when empty. Two Miniflares given the same directory share data.
	KVPersist string
	// CompatibilityDate; DefaultCompatibilityDate when empty.
	CompatibilityDate string
}

// Miniflare is a miniflare process serving one worker on loopback.
type Miniflare struct {
	URL  string // http://127.0.0.1:port, no trailing slash
	Addr string
	proc *Process
}

// miniflareScript starts Miniflare with the options in argv[2] (JSON)
// and serves until it is killed.
const miniflareScript = `
const { Miniflare } = require(process.env.CRUMB_MINIFLARE);
const o = JSON.parse(process.argv[2]);
const mf = new Miniflare({
  modules: true,
  scriptPath: o.script,
  modulesRoot: o.root,
  modulesRules: [
    { type: "CompiledWasm", include: ["**/*.wasm"] },
    { type: "ESModule", include: ["**/*.mjs", "**/*.js"] },
  ],
  kvNamespaces: o.kv,
  kvPersist: o.persist,
  bindings: o.bindings,
  compatibilityDate: o.date,
  host: "127.0.0.1",
  port: o.port,
});
mf.ready.then((u) => console.log("miniflare ready " + u), (e) => { console.error(e); process.exit(1); });
const stop = () => mf.dispose().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
`

// StartMiniflare copies the modules into a temporary directory, starts
// miniflare from node_modules on a free 127.0.0.1 port, waits until it
// listens, and stops it when the test ends. A missing node or miniflare
// goes through Missing.
func StartMiniflare(t testing.TB, cfg MiniflareConfig) *Miniflare {
	t.Helper()
	node := LookPath(t, "node", "apt-get install nodejs")
	mfDir := NodeModule(t, "miniflare")
	if len(cfg.Modules) == 0 {
		t.Fatal("servicetest: StartMiniflare with no modules")
	}
	if cfg.CompatibilityDate == "" {
		cfg.CompatibilityDate = DefaultCompatibilityDate
	}
	dir := t.TempDir()
	for _, m := range cfg.Modules {
		b, err := os.ReadFile(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, m.Name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if cfg.Bindings == nil {
		cfg.Bindings = map[string]string{} // miniflare refuses null
	}
	if cfg.KVPersist == "" {
		cfg.KVPersist = filepath.Join(t.TempDir(), "kv")
	}
	script := filepath.Join(dir, "start-miniflare.cjs")
	if err := os.WriteFile(script, []byte(miniflareScript), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		opts, _ := json.Marshal(map[string]any{
			"script": filepath.Join(dir, cfg.Modules[0].Name), "root": dir, "kv": cfg.KVNamespaces,
			"persist": cfg.KVPersist, "bindings": cfg.Bindings, "date": cfg.CompatibilityDate, "port": port,
		})
		addr := "127.0.0.1:" + strconv.Itoa(port)
		p, err := launch(node, dir, filepath.Join(dir, "miniflare-"+strconv.Itoa(port)+".log"),
			[]string{"CRUMB_MINIFLARE=" + mfDir}, script, string(opts))
		if err != nil {
			t.Fatalf("servicetest: %v", err)
		}
		if lastErr = waitListening(p, addr, 60*time.Second); lastErr != nil {
			p.Stop()
			continue
		}
		t.Cleanup(p.Stop)
		return &Miniflare{URL: "http://" + addr, Addr: addr, proc: p}
	}
	t.Fatalf("servicetest: miniflare did not start: %v", lastErr)
	return nil
}

// Log returns the tail of miniflare's output, for failure messages.
func (m *Miniflare) Log() string { return m.proc.Tail(4000) }
