package servicetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// WorkerdBin is the workerd binary's path inside node_modules, where
// `npm install workerd` puts it.
const WorkerdBin = "@cloudflare/workerd-linux-64/bin/workerd"

// DefaultCompatibilityDate is the compatibilityDate of generated configs:
// older than the installed workerd (which refuses dates after its own
// release) and recent enough for the APIs the shims use.
const DefaultCompatibilityDate = "2025-09-01"

// WorkerdModule is one module of the worker. Its kind follows from the
// file name: .wasm is a compiled WebAssembly module, .mjs and .js are ES
// modules.
type WorkerdModule struct {
	Name string // the name other modules import it by, e.g. "worker.mjs"
	Path string // the file to embed
}

// WorkerdConfig describes the worker a test serves.
type WorkerdConfig struct {
	// Modules, the main module first.
	Modules []WorkerdModule
	// Text bindings: the worker sees them as env.NAME (the crumb shim
	// also passes them to Go as environment variables).
	Bindings map[string]string
	// CompatibilityDate; DefaultCompatibilityDate when empty.
	CompatibilityDate string
	// Deadline kills workerd after this long even if the test hangs;
	// two minutes when zero. t.Cleanup stops it earlier in the normal
	// case.
	Deadline time.Duration
}

// Workerd is a workerd process serving one worker on a loopback port.
type Workerd struct {
	URL        string // http://127.0.0.1:port, no trailing slash
	Addr       string
	ConfigPath string
	// Listening is how long the process took to accept connections.
	Listening time.Duration

	proc *Process
}

// StartWorkerd writes a capnp config for cfg into a temporary directory,
// starts `workerd serve` on a free 127.0.0.1 port, waits until it
// listens, and stops it when the test ends (or at cfg.Deadline). The
// worker's outbound fetches go through a network service that allows
// public and local addresses, so it can reach origins and stores on
// loopback. A missing workerd goes through Missing.
func StartWorkerd(t testing.TB, cfg WorkerdConfig) *Workerd {
	t.Helper()
	bin := NodeModule(t, WorkerdBin)
	if len(cfg.Modules) == 0 {
		t.Fatal("servicetest: StartWorkerd with no modules")
	}
	if cfg.CompatibilityDate == "" {
		cfg.CompatibilityDate = DefaultCompatibilityDate
	}
	if cfg.Deadline == 0 {
		cfg.Deadline = 2 * time.Minute
	}
	dir := t.TempDir()
	for _, m := range cfg.Modules {
		// embed paths are relative to the config file; a symlink keeps
		// multi-megabyte modules from being copied.
		if err := os.Symlink(m.Path, filepath.Join(dir, m.Name)); err != nil {
			t.Fatalf("servicetest: linking module %s: %v", m.Name, err)
		}
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		w := &Workerd{Addr: "127.0.0.1:" + strconv.Itoa(port)}
		w.URL = "http://" + w.Addr
		w.ConfigPath = filepath.Join(dir, "config-"+strconv.Itoa(port)+".capnp")
		if err := os.WriteFile(w.ConfigPath, []byte(workerdConfig(cfg, w.Addr)), 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		p, err := launch(bin, dir, filepath.Join(dir, "workerd-"+strconv.Itoa(port)+".log"), nil,
			"serve", w.ConfigPath, "--verbose")
		if err != nil {
			t.Fatalf("servicetest: %v", err)
		}
		if lastErr = waitListening(p, w.Addr, 20*time.Second); lastErr != nil {
			p.Stop()
			continue
		}
		w.Listening = time.Since(start)
		w.proc = p
		timer := time.AfterFunc(cfg.Deadline, p.Stop)
		t.Cleanup(func() {
			timer.Stop()
			p.Stop()
		})
		return w
	}
	t.Fatalf("servicetest: workerd did not start: %v", lastErr)
	return nil
}

// WorkerdVersion returns what `workerd --version` prints (such as
// "workerd 2026-11-17"), for the figures a test reports; "workerd
// (version unknown)" when it cannot be run. A missing workerd goes
// through Missing.
func WorkerdVersion(t testing.TB) string {
	t.Helper()
	bin := NodeModule(t, WorkerdBin)
	out, err := exec.Command(bin, "--version").Output()
	if v := strings.TrimSpace(string(out)); err == nil && v != "" {
		return v
	}
	return "workerd (version unknown)"
}

// Log returns the tail of workerd's output (uncaught exceptions and
// console output from the worker), for failure messages.
func (w *Workerd) Log() string { return w.proc.Tail(4000) }

// Exited reports whether workerd has stopped (crashed, or killed at its
// deadline).
func (w *Workerd) Exited() bool { return w.proc.Exited() }

// workerdConfig renders the capnp config. Bindings are sorted so that
// the file is the same from run to run.
func workerdConfig(cfg WorkerdConfig, addr string) string {
	var b strings.Builder
	b.WriteString("using Workerd = import \"/workerd/workerd.capnp\";\n\n")
	b.WriteString("const config :Workerd.Config = (\n")
	b.WriteString("  services = [\n")
	b.WriteString("    (name = \"main\", worker = .worker),\n")
	b.WriteString("    (name = \"outbound\", network = (allow = [\"public\", \"local\"])),\n")
	b.WriteString("  ],\n")
	fmt.Fprintf(&b, "  sockets = [(name = \"http\", address = %s, http = (), service = \"main\")],\n", capnpString(addr))
	b.WriteString(");\n\n")
	b.WriteString("const worker :Workerd.Worker = (\n  modules = [\n")
	for _, m := range cfg.Modules {
		kind := "esModule"
		if strings.HasSuffix(m.Name, ".wasm") {
			kind = "wasm"
		}
		fmt.Fprintf(&b, "    (name = %s, %s = embed %s),\n", capnpString(m.Name), kind, capnpString(m.Name))
	}
	b.WriteString("  ],\n")
	if len(cfg.Bindings) > 0 {
		names := make([]string, 0, len(cfg.Bindings))
		for n := range cfg.Bindings {
			names = append(names, n)
		}
		sort.Strings(names)
		b.WriteString("  bindings = [\n")
		for _, n := range names {
			fmt.Fprintf(&b, "    (name = %s, text = %s),\n", capnpString(n), capnpString(cfg.Bindings[n]))
		}
		b.WriteString("  ],\n")
	}
	fmt.Fprintf(&b, "  compatibilityDate = %s,\n", capnpString(cfg.CompatibilityDate))
	b.WriteString("  globalOutbound = \"outbound\",\n);\n")
	return b.String()
}

// capnpString quotes s as a Cap'n Proto text literal.
func capnpString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// GoBuild builds the Go package pkg (an import path or a directory) for
// goos/wasm into out, with the go command that runs the tests, and
// returns how long it took. Flags for the test binary that make no sense
// for a wasm build (-race) are dropped from GOFLAGS. The build cache
// makes a repeated build of unchanged code quick.
func GoBuild(ctx context.Context, dir, goos, pkg, out string, flags ...string) (time.Duration, error) {
	gobin := filepath.Join(goroot(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	args := append([]string{"build", "-o", out}, flags...)
	args = append(args, pkg)
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	env := make([]string, 0, len(os.Environ())+3)
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "GOOS=") || strings.HasPrefix(e, "GOARCH=") || strings.HasPrefix(e, "GOFLAGS=") || strings.HasPrefix(e, "CGO_ENABLED=") {
			continue
		}
		env = append(env, e)
	}
	var goflags []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if f != "-race" && !strings.HasPrefix(f, "-race=") {
			goflags = append(goflags, f)
		}
	}
	env = append(env, "GOOS="+goos, "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS="+strings.Join(goflags, " "))
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("GOOS=%s GOARCH=wasm go build %s: %v\n%s", goos, strings.Join(args[1:], " "), err, stderr.String())
	}
	return time.Since(start), nil
}

var (
	gorootOnce sync.Once
	gorootDir  string
)

// goroot asks the go command on PATH (the one running the tests) for
// its GOROOT, once per test binary.
func goroot() string {
	gorootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err == nil {
			gorootDir = strings.TrimSpace(string(out))
		}
	})
	return gorootDir
}

// WasmExecJS returns the path of Go's own wasm_exec.js, the loader the
// JavaScript side of a GOOS=js module needs. It must come from the Go
// that built the module.
func WasmExecJS() (string, error) {
	r := goroot()
	if r == "" {
		return "", fmt.Errorf("go env GOROOT failed: %w", ErrMissing)
	}
	for _, rel := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		p := filepath.Join(r, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("wasm_exec.js not found under %s: %w", r, ErrMissing)
}

// Sizes returns a file's size in bytes, raw and compressed with gzip at
// level 9. It runs the gzip program when there is one, so the figure is
// the one `gzip -9` prints, and falls back to compress/gzip.
func Sizes(path string) (raw, gz int64, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	if bin, err := exec.LookPath("gzip"); err == nil {
		out, err := exec.Command(bin, "-9", "-c", path).Output()
		if err == nil {
			return fi.Size(), int64(len(out)), nil
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var n countWriter
	zw, _ := gzip.NewWriterLevel(&n, gzip.BestCompression)
	if _, err := io.Copy(zw, f); err != nil {
		return 0, 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, 0, err
	}
	return fi.Size(), int64(n), nil
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
