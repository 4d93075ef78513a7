//go:build !tinygo

// TestJavaScriptReader starts node with os/exec, which a WASI test
// binary cannot do: `tinygo test -target=wasip1` leaves it out.

package crumb_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJavaScriptReader runs testdata/vectors/jsreader/reader.mjs, a
// reader written from docs/FORMAT.md with WebCrypto alone, over every
// vector: the proof that FORMAT.md is enough for a compatible reader.
func TestJavaScriptReader(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CRUMB_REQUIRE_SERVICES") == "1" {
			t.Fatal("node is not installed (CRUMB_REQUIRE_SERVICES=1)")
		}
		t.Skip("node is not installed; skipping the JavaScript reader")
	}
	cmd := exec.Command(node, "--no-warnings", filepath.Join("testdata", "vectors", "jsreader", "reader.mjs"))
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("JavaScript reader failed: %v", err)
	}
	if !strings.Contains(string(out), " 0 failed") || strings.Contains(string(out), " 0 passed") {
		t.Fatalf("unexpected reader output")
	}
}
