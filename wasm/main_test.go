package wasm_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// The figures CI shows (artifact sizes, workerd latencies) are collected
// here and printed once from TestMain, so they appear in the output of
// `go test -v ./wasm/` even where t.Logf lines are hard to find.
var (
	figures servicetest.Figures
	builds  servicetest.Builds
)

func figure(t testing.TB, format string, args ...any) {
	t.Helper()
	figures.Add(t, format, args...)
}

func TestMain(m *testing.M) { os.Exit(servicetest.Main(m, "crumb wasm", &figures, &builds)) }

// build compiles pkg for goos/wasm once per test binary and returns the
// artifact's path, reporting its size. Tests that need the same module
// share one build.
func build(t testing.TB, name, goos, pkg string, flags ...string) string {
	t.Helper()
	return builds.Once(t, name, func(out string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		took, err := servicetest.GoBuild(ctx, servicetest.ModuleRoot(t), goos, pkg, out, flags...)
		if err != nil {
			return err
		}
		raw, gz, err := servicetest.Sizes(out)
		if err != nil {
			return err
		}
		figure(t, "size %-22s raw %8d B (%.2f MB)  gzip -9 %8d B (%.2f MB)  [GOOS=%s %s, built in %v]",
			name, raw, float64(raw)/1e6, gz, float64(gz)/1e6, goos, pkg, took.Round(time.Millisecond))
		return nil
	})
}

// tinygoBuild compiles pkg with TinyGo once per test binary (and once
// per test run when the test command gives a build cache), reporting
// its size; a missing TinyGo goes through servicetest.Missing.
func tinygoBuild(t testing.TB, name, pkg string, flags ...string) string {
	t.Helper()
	tinygo := servicetest.TinyGo(t)
	return builds.Once(t, name, func(out string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		took, err := servicetest.TinyGoBuild(ctx, tinygo, servicetest.ModuleRoot(t), pkg, out, flags...)
		if err != nil {
			return err
		}
		raw, gz, err := servicetest.Sizes(out)
		if err != nil {
			return err
		}
		how := "cached build"
		if took > 0 {
			how = "built in " + took.Round(time.Millisecond).String()
		}
		figure(t, "size %-22s raw %8d B (%.2f MB)  gzip -9 %8d B (%.2f MB)  [tinygo build %s %s, %s]",
			name, raw, float64(raw)/1e6, gz, float64(gz)/1e6, strings.Join(flags, " "), pkg, how)
		return nil
	})
}
