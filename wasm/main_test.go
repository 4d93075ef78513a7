package wasm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// The figures CI shows (artifact sizes, workerd latencies) are collected
// here and printed once from TestMain, so they appear in the output of
// `go test -v ./wasm/` even where t.Logf lines are hard to find.
var (
	figuresMu sync.Mutex
	figures   []string

	buildDir string
	builds   sync.Map // output name -> *buildResult
)

func figure(t testing.TB, format string, args ...any) {
	t.Helper()
	s := fmt.Sprintf(format, args...)
	t.Log(s)
	figuresMu.Lock()
	figures = append(figures, s)
	figuresMu.Unlock()
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crumb-wasm-build-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	if len(figures) > 0 {
		fmt.Println("crumb wasm figures:")
		for _, f := range figures {
			fmt.Println("  " + f)
		}
	}
	os.Exit(code)
}

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// build compiles pkg for goos/wasm once per test binary and returns the
// artifact's path, reporting its size. Tests that need the same module
// share one build.
func build(t testing.TB, name, goos, pkg string, flags ...string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(name, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		out := filepath.Join(buildDir, name)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		took, err := servicetest.GoBuild(ctx, servicetest.ModuleRoot(t), goos, pkg, out, flags...)
		if err != nil {
			b.err = err
			return
		}
		raw, gz, err := servicetest.Sizes(out)
		if err != nil {
			b.err = err
			return
		}
		b.path = out
		figure(t, "size %-22s raw %8d B (%.2f MB)  gzip -9 %8d B (%.2f MB)  [GOOS=%s %s, built in %v]",
			name, raw, float64(raw)/1e6, gz, float64(gz)/1e6, goos, pkg, took.Round(time.Millisecond))
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}
