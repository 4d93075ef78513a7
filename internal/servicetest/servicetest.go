package servicetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Required reports whether missing components must fail tests rather
// than skip them.
func Required() bool { return os.Getenv("CRUMB_REQUIRE_SERVICES") == "1" }

// Missing skips the test, or fails it when components are required,
// saying which component is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("required component missing (CRUMB_REQUIRE_SERVICES=1): %s", msg)
	}
	t.Skipf("skipping: %s (run scripts/test-all.sh to install and require it)", msg)
}

// LookPath returns the path of an installed program, or calls Missing.
func LookPath(t testing.TB, name, installHint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not found on PATH; install it with: %s", name, installHint)
	}
	return p
}

// ModuleRoot returns the directory holding crumb's go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/crumbkit/crumb\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("servicetest: crumb's go.mod not found above the working directory")
		}
		dir = parent
	}
}

// NodeModules returns the node_modules directory holding the npm
// components: $CRUMB_NODE_MODULES, or node_modules at the module root.
func NodeModules(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("CRUMB_NODE_MODULES"); d != "" {
		return d
	}
	return filepath.Join(ModuleRoot(t), "node_modules")
}

// NodeModule returns the path of rel inside node_modules, or calls
// Missing when it is not installed.
func NodeModule(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(NodeModules(t), rel)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "npm component %s not found under %s; run `npm install` at the module root", rel, NodeModules(t))
	}
	return p
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// There is a small window in which another process could take it; the
// starters below retry on a fresh port when a start fails.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitTCP waits until addr accepts TCP connections or the timeout ends.
func WaitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not accepting connections after %v: %w", addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Process is a component started by a test.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Log  string // path of the file holding its stdout and stderr

	once sync.Once
	done chan struct{}
	err  error
}

// Start runs a program in the background, its output going to a log file
// in a temporary directory, and registers its stop with t.Cleanup.
// The process gets its own process group so its children stop too.
func Start(t testing.TB, name string, dir string, args ...string) *Process {
	t.Helper()
	p, err := launch(name, dir, filepath.Join(t.TempDir(), filepath.Base(name)+".log"), nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// Stop kills the process (and its group) and waits for it to exit.
// It is safe to call more than once.
func (p *Process) Stop() {
	p.once.Do(func() {
		killGroup(p.Cmd)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	})
}

// Exited reports whether the process has already exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Tail returns the last n bytes of the process log, for failure messages.
func (p *Process) Tail(n int) string {
	b, _ := os.ReadFile(p.Log)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// Context returns a context that ends after d or when the test ends,
// for an overall deadline on a test that drives external processes.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
