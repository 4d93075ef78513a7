package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
)

// TestBrowser drives the demo in Debian's Chromium with playwright-core,
// through the real forms: a wrong password, the right one, a reload
// that must not repeat the flash, and a logout.
func TestBrowser(t *testing.T) {
	node := servicetest.LookPath(t, "node", "apt-get install nodejs")
	chromium := servicetest.LookPath(t, "chromium", "apt-get install chromium")
	pw := servicetest.NodeModule(t, "playwright-core/index.mjs")

	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := loginapp.New(loginapp.Config{Keys: ring, InsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	script, err := filepath.Abs(filepath.Join("testdata", "browser.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := servicetest.Context(t, 90*time.Second)
	cmd := exec.CommandContext(ctx, node, script, srv.URL+"/")
	cmd.Env = append(os.Environ(),
		"PLAYWRIGHT_CORE="+pw,
		"CHROMIUM="+chromium,
		"USER_DATA_DIR="+t.TempDir(),
	)
	out, err := cmd.CombinedOutput()
	t.Logf("browser script output:\n%s", out)
	if err != nil {
		t.Fatalf("browser script failed: %v", err)
	}
}
