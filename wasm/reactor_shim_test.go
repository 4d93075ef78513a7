package wasm_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// TestReactorShimGrowingMemory runs crumb-reactor.mjs in node against a
// stand-in guest that grows memory in every export (testdata/
// reactor-shim.mjs): a view of memory.buffer taken before a call is
// detached after it, so reading results must follow the call.
func TestReactorShimGrowingMemory(t *testing.T) {
	node := servicetest.LookPath(t, "node", "apt-get install nodejs (Node 20)")
	out, err := exec.Command(node, "--no-warnings", filepath.Join("testdata", "reactor-shim.mjs")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("crumb-reactor.mjs with a guest that grows memory: %v\n%s", err, out)
	}
}
