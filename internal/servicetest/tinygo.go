package servicetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TinyGoModfile is the side module file TinyGo builds use: TinyGo
// accepts Go 1.19 to 1.23 only, while go.mod asks for a newer Go.
const TinyGoModfile = "go.tinygo.mod"

// TinyGo returns the tinygo command the tests use: $CRUMB_TINYGO, which
// scripts/test-all.sh sets after finding or building TinyGo. Without it
// the test goes through Missing, so a bare `go test ./...` skips TinyGo
// tests rather than spending minutes on compiles.
func TinyGo(t testing.TB) string {
	t.Helper()
	p := os.Getenv("CRUMB_TINYGO")
	if p == "" {
		Missing(t, "TinyGo tests need $CRUMB_TINYGO (the tinygo command; scripts/test-all.sh sets it, or run CRUMB_TINYGO=$(command -v tinygo) go test ...)")
	}
	if _, err := exec.LookPath(p); err != nil {
		Missing(t, "CRUMB_TINYGO=%s is not a command: %v", p, err)
	}
	return p
}

// TinyGoVersion returns what `tinygo version` prints, for figures.
func TinyGoVersion(t testing.TB) string {
	t.Helper()
	out, err := exec.Command(TinyGo(t), "version").Output()
	if err != nil {
		t.Fatalf("tinygo version: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TinyGoEnv returns the environment for running tinygo in the module
// at dir: GOFLAGS names the side module file, and test-binary flags
// such as -race are dropped.
func TinyGoEnv(dir string) []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "GOOS=") || strings.HasPrefix(e, "GOARCH=") || strings.HasPrefix(e, "GOFLAGS=") {
			continue
		}
		env = append(env, e)
	}
	return append(env, "GOFLAGS=-modfile="+filepath.Join(dir, TinyGoModfile))
}

// TinyGoBuild runs `tinygo build -o out FLAGS PKG` in the module at dir
// with the side module file, and returns how long it took (zero when
// the artifact came from the build cache).
//
// TinyGo builds take tens of seconds, and several test binaries need the
// same artifacts, so when $CRUMB_BUILD_CACHE names a directory (the test
// command sets one per run) the artifact is kept there under a key made
// of the tinygo version, the flags and a hash of every Go source file
// (tests aside) and module file of the module: an unchanged build is copied, never redone.
func TinyGoBuild(ctx context.Context, tinygo, dir, pkg, out string, flags ...string) (time.Duration, error) {
	args := append([]string{"build", "-o", out}, flags...)
	args = append(args, pkg)
	cache := os.Getenv("CRUMB_BUILD_CACHE")
	var cached string
	if cache != "" {
		key, err := tinyGoKey(tinygo, dir, args[3:])
		if err != nil {
			return 0, err
		}
		cached = filepath.Join(cache, "tinygo-"+key+filepath.Ext(out))
		if err := copyFile(cached, out); err == nil {
			return 0, nil
		}
	}
	cmd := exec.CommandContext(ctx, tinygo, args...)
	cmd.Dir = dir
	cmd.Env = TinyGoEnv(dir)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("tinygo %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	took := time.Since(start)
	if cached != "" {
		// Copy to a temporary name and rename, so a concurrent test
		// binary never reads half a file.
		tmp := cached + ".tmp" + fmt.Sprint(os.Getpid())
		if err := copyFile(out, tmp); err == nil {
			os.Rename(tmp, cached)
		}
	}
	return took, nil
}

var (
	sourceHashMu sync.Mutex
	sourceHashes = map[string]string{}
)

// tinyGoKey hashes what decides a TinyGo artifact: the compiler, the
// arguments and the module's sources (computed once per test binary).
func tinyGoKey(tinygo, dir string, args []string) (string, error) {
	sourceHashMu.Lock()
	src, ok := sourceHashes[dir]
	sourceHashMu.Unlock()
	if !ok {
		h := sha256.New()
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if p != dir && (name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".")) {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != dir {
					return filepath.SkipDir // a nested module is not part of this one
				}
				return nil
			}
			if (!strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go")) && name != TinyGoModfile && name != "go.tinygo.sum" {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			fmt.Fprintf(h, "%s %d\n", rel, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
		src = hex.EncodeToString(h.Sum(nil))
		sourceHashMu.Lock()
		sourceHashes[dir] = src
		sourceHashMu.Unlock()
	}
	ver, err := exec.Command(tinygo, "version").Output()
	if err != nil {
		return "", fmt.Errorf("tinygo version: %v", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%q\n", ver, src, args)
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(to)
		return err
	}
	return out.Close()
}

// TinyGoWasmExecJS returns the path of TinyGo's own wasm_exec.js (it
// differs from Go's and must match the compiler that built the module).
func TinyGoWasmExecJS(tinygo string) (string, error) {
	out, err := exec.Command(tinygo, "env", "TINYGOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("tinygo env TINYGOROOT: %v", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "targets", "wasm_exec.js")
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}
