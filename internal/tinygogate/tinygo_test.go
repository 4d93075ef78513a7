package tinygogate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// wasiPackages are the packages whose tests run under TinyGo on
// -target=wasip1, with the build tags each needs. Tests that need
// recover (TinyGo has none on wasm) or that run programs are left out
// by `//go:build !tinygo` in their files, each saying why.
var wasiPackages = []struct {
	dir, tags  string
	goroutines bool // its tests start goroutines, so they need a scheduler
}{
	{".", "", false},
	{"internal/wire", "", false},
	{"keys", "", false},
	{"keys/ed448", "", false},
	{"unsigned", "", false},
	{"signed", "", true},                   // vectors.Concurrent
	{"encrypted", "", true},                // vectors.Concurrent
	{"cookiestore", "crumb_nohttp", false}, // the engine, without the net/http layer
}

// TestTinyGoWASI compiles each package's tests with
// `tinygo test -c -target=wasip1` and runs the binary under
// internal/cmd/wasirun (wazero), from the package's directory as `go
// test` would: the real compile is the authoritative check that the
// import gate above only approximates.
func TestTinyGoWASI(t *testing.T) {
	tinygo := servicetest.TinyGo(t)
	root := servicetest.ModuleRoot(t)
	t.Logf("%s", servicetest.TinyGoVersion(t))
	runner := wasirun(t, root)
	for _, p := range wasiPackages {
		t.Run(strings.ReplaceAll(p.dir, "/", "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
			defer cancel()
			bin := filepath.Join(t.TempDir(), "test.wasm")
			// compile runs tinygo test -c. TinyGo 0.34 exits 0 and
			// writes nothing when such a compile fails (its -c path
			// drops the error), so success is the binary existing.
			compile := func(extra ...string) error {
				args := append([]string{"test", "-c", "-target=wasip1", "-o", bin}, extra...)
				if p.tags != "" {
					args = append(args, "-tags="+p.tags)
				}
				args = append(args, "./"+p.dir)
				build := exec.CommandContext(ctx, tinygo, args...)
				build.Dir, build.Env = root, servicetest.TinyGoEnv(root)
				out, err := build.CombinedOutput()
				if _, serr := os.Stat(bin); err != nil || serr != nil {
					return fmt.Errorf("tinygo %s wrote no test binary (%v); `tinygo test -target=wasip1` without -c shows the compile error\n%s",
						strings.Join(args, " "), err, out)
				}
				return nil
			}
			// Tests that start no goroutine build without a scheduler,
			// which skips the asyncify pass, a large part of a build's
			// time. TinyGo refuses such a build when a goroutine is
			// started after all; then the wasm default is used.
			start := time.Now()
			scheduler := "asyncify"
			var err error
			if !p.goroutines {
				scheduler = "none"
				if err = compile("-scheduler=none"); err != nil {
					t.Logf("./%s without a scheduler: %v; building with the default", p.dir, err)
					scheduler = "asyncify"
				}
			}
			if scheduler == "asyncify" {
				if err = compile(); err != nil {
					t.Fatal(err)
				}
			}
			built := time.Since(start)

			dir := filepath.Join(root, p.dir)
			run := exec.CommandContext(ctx, runner, append(mounts(root, dir), bin, "-test.v")...)
			run.Dir = dir
			var res bytes.Buffer
			run.Stdout, run.Stderr = &res, &res
			start = time.Now()
			err = run.Run()
			passed := len(regexp.MustCompile(`(?m)^--- PASS: `).FindAll(res.Bytes(), -1))
			skipped := len(regexp.MustCompile(`(?m)^--- SKIP: `).FindAll(res.Bytes(), -1))
			if err != nil || !bytes.Contains(res.Bytes(), []byte("\nPASS")) || passed == 0 {
				t.Fatalf("tests of ./%s under TinyGo (wasip1, wazero): %v\n%s", p.dir, err, res.String())
			}
			t.Logf("./%s: %d top-level tests passed, %d skipped (scheduler %s; built in %v, ran in %v)",
				p.dir, passed, skipped, scheduler, built.Round(time.Second), time.Since(start).Round(100*time.Millisecond))
		})
	}
}

var (
	wasirunOnce sync.Once
	wasirunPath string
	wasirunErr  error
)

// wasirun builds internal/cmd/wasirun once per test binary.
func wasirun(t *testing.T, root string) string {
	t.Helper()
	wasirunOnce.Do(func() {
		dir, err := os.MkdirTemp("", "crumb-wasirun-")
		if err != nil {
			wasirunErr = err
			return
		}
		wasirunPath = filepath.Join(dir, "wasirun")
		if out, err := exec.Command("go", "build", "-o", wasirunPath, filepath.Join(root, "internal", "cmd", "wasirun")).CombinedOutput(); err != nil {
			wasirunErr = fmt.Errorf("building wasirun: %v\n%s", err, out)
		}
	})
	if wasirunErr != nil {
		t.Fatal(wasirunErr)
	}
	return wasirunPath
}

// TestTinyGoKVStoreWASI builds a program using kvstore with TinyGo for
// wasip1 and runs it: kvstore must compile there (TinyGo's net/http has
// no http.ProxyFromEnvironment, so the default client must stay out of
// WebAssembly builds) and, without a Client, fail as a store that is
// unavailable: an error, never a panic (TinyGo's errors.As panics on an
// interface target, which kvstore's error path once used).
func TestTinyGoKVStoreWASI(t *testing.T) {
	tinygo := servicetest.TinyGo(t)
	root := servicetest.ModuleRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "kvstorewasi.wasm")
	if _, err := servicetest.TinyGoBuild(ctx, tinygo, root, "./internal/tinygogate/testdata/kvstorewasi", bin, "-target=wasip1", "-no-debug"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, wasirun(t, root), bin).CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("ok: ")) || !bytes.Contains(out, []byte("store unavailable")) {
		t.Fatalf("kvstore under TinyGo on wasip1: %v\n%s", err, out)
	}
}

// mounts gives the guest the package directory as "." and each parent
// up to the module root as "..", "../..", and so on, which is how
// wasi-libc resolves relative paths such as ../testdata/vectors.
func mounts(root, dir string) []string {
	args := []string{"-dir", dir + ":."}
	rel := "."
	for d := dir; d != root && strings.HasPrefix(d, root); {
		d = filepath.Dir(d)
		if rel == "." {
			rel = ".."
		} else {
			rel += "/.."
		}
		args = append(args, "-dir", d+":"+rel)
	}
	return args
}
