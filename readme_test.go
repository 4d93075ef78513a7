//go:build !tinygo

// This test runs `go build`, which a WebAssembly test binary under
// TinyGo cannot.

package crumb_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// snippetRE finds the Go blocks of README.md marked as complete
// programs: an HTML comment "<!-- snippet: program -->" on the line
// before the fence.
var snippetRE = regexp.MustCompile("(?s)<!-- snippet: program -->\n```go\n(.*?)\n```")

// TestREADMESnippets builds every README snippet marked as a program in
// a module of its own that requires crumb from this checkout, so the
// Quick start compiles as pasted.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	snippets := snippetRE.FindAllSubmatch(readme, -1)
	if len(snippets) == 0 {
		t.Fatal("README.md has no snippet marked <!-- snippet: program -->")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range snippets {
		dir := t.TempDir()
		gomod := "module example.com/readme\n\ngo 1.25.0\n\nrequire github.com/crumbkit/crumb v0.0.0\n\nreplace github.com/crumbkit/crumb => " + root + "\n"
		files := map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum, "main.go": m[1]}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run := func(args ...string) ([]byte, error) {
			cmd := exec.Command(goTool, args...)
			cmd.Dir = dir
			// Offline: every module the snippet needs is one crumb's own
			// build already put in the module cache.
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
			return cmd.CombinedOutput()
		}
		if out, err := run("mod", "tidy"); err != nil {
			if bytes.Contains(out, []byte("module lookup disabled")) {
				t.Skipf("snippet %d needs a module that is not in the module cache:\n%s", i+1, out)
			}
			t.Fatalf("snippet %d: go mod tidy: %v\n%s", i+1, err, out)
		}
		if out, err := run("build", "-o", os.DevNull, "."); err != nil {
			t.Errorf("snippet %d does not build: %v\n%s\n--- snippet ---\n%s", i+1, err, out, numbered(string(m[1])))
		}
	}
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, l)
	}
	return b.String()
}
