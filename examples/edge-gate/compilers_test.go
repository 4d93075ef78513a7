package main_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// gateCompiler is one compiler the gates are built and served with:
// each end-to-end scenario runs against both.
type gateCompiler struct {
	name       string                                      // the subtest name
	build      func(t *testing.T, name, pkg string) string // with gateTags
	buildTags  func(t *testing.T, name, pkg, tags string) string
	wasmExecJS func(t *testing.T) string // the loader matching the compiler
}

var gateCompilers = []gateCompiler{
	{"go", buildGate, func(t *testing.T, name, pkg, tags string) string {
		return buildVariant(t, name, pkg, tags, true)
	}, func(t *testing.T) string {
		p, err := servicetest.WasmExecJS()
		if err != nil {
			servicetest.Fail(t, err)
		}
		return p
	}},
	{"tinygo", buildTinyGoGate, buildTinyGoTags, func(t *testing.T) string {
		p, err := servicetest.TinyGoWasmExecJS(servicetest.TinyGo(t))
		if err != nil {
			servicetest.Fail(t, err)
		}
		return p
	}},
}

// tinyGoFlags are the TinyGo flags of the documented gate builds
// (docs/edge.md), before -tags. The gate needs a scheduler (its fetches
// to the origin and the store wait in goroutines), so -scheduler stays
// at the wasm default; without recover, -panic=trap would lose nothing
// but the message, which is worth more than its few bytes.
var tinyGoFlags = []string{"-target=wasm", "-no-debug"}

// goalTinyGoGzip is the size goal for a TinyGo gate, printed, never
// asserted.
const goalTinyGoGzip = 300_000

// buildTinyGoGate builds pkg with TinyGo once per test binary (and once
// per test run, through the test command's build cache) and reports its
// size next to the stock build's.
func buildTinyGoGate(t *testing.T, name, pkg string) string {
	t.Helper()
	return buildTinyGoTags(t, name, pkg, gateTags)
}

// buildTinyGoTags is buildTinyGoGate with other build tags.
func buildTinyGoTags(t *testing.T, name, pkg, tags string) string {
	t.Helper()
	tinygo := servicetest.TinyGo(t)
	flags := append(append([]string(nil), tinyGoFlags...), "-tags="+tags)
	name = strings.TrimSuffix(name, ".wasm") + "-tinygo.wasm"
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
		verdict := "within"
		if gz > goalTinyGoGzip {
			verdict = "over"
		}
		how := "cached build"
		if took > 0 {
			how = "built in " + took.Round(time.Millisecond).String()
		}
		figure(t, "size %-20s raw %8d B (%.2f MB)  gzip -9 %8d B (%.2f MB)  [tinygo build %s %s; %s the 0.3 MB goal; %s]",
			name, raw, float64(raw)/1e6, gz, float64(gz)/1e6, strings.Join(flags, " "), pkg, verdict, how)
		if gz > hardCeilingGzip {
			return fmt.Errorf("%s is %d bytes gzip -9, over the 3,000,000-byte hard ceiling", name, gz)
		}
		return nil
	})
}

// TestTinyGoGateSizes builds every gate with TinyGo and prints its size
// next to the stock builds' (TestGateSizes): the cookie gate, the
// Ed448-verify gate and the Workers KV gate.
func TestTinyGoGateSizes(t *testing.T) {
	for _, g := range []struct{ name, pkg string }{
		{"gate.wasm", "./examples/edge-gate"},
		{"ed448gate.wasm", "./examples/edge-gate/ed448gate"},
		{"kvgate.wasm", "./examples/edge-gate/kvgate"},
	} {
		buildTinyGoGate(t, g.name, g.pkg)
	}
}
