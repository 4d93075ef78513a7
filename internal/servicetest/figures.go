package servicetest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Figures collects the measurements a test binary reports (artifact
// sizes, latencies). Each is logged with t.Log as it is taken and all
// are printed once more by Main after the tests, so CI output shows
// them without -v.
type Figures struct {
	mu    sync.Mutex
	lines []string
}

// Add records one figure.
func (f *Figures) Add(t testing.TB, format string, args ...any) {
	t.Helper()
	s := fmt.Sprintf(format, args...)
	t.Log(s)
	f.mu.Lock()
	f.lines = append(f.lines, s)
	f.mu.Unlock()
}

func (f *Figures) print(w io.Writer, title string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lines) == 0 {
		return
	}
	fmt.Fprintln(w, title+" figures:")
	for _, l := range f.lines {
		fmt.Fprintln(w, "  "+l)
	}
}

// Builds runs each named build at most once per test binary, so tests
// that need the same artifact share it. Main sets its directory.
type Builds struct {
	dir string
	m   sync.Map // name -> *buildOnce
}

type buildOnce struct {
	once sync.Once
	path string
	err  error
}

// Once returns the path of the artifact called name, calling build with
// that path the first time; a failed build fails every test that asks
// for it.
func (b *Builds) Once(t testing.TB, name string, build func(out string) error) string {
	t.Helper()
	v, _ := b.m.LoadOrStore(name, &buildOnce{})
	o := v.(*buildOnce)
	o.once.Do(func() {
		o.path = filepath.Join(b.dir, name)
		o.err = build(o.path)
	})
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.path
}

// Main is a TestMain body for packages that build artifacts and report
// figures: it gives builds a temporary directory, runs the tests,
// removes the directory and prints the figures under title. It returns
// the exit code for os.Exit.
func Main(m *testing.M, title string, figures *Figures, builds *Builds) int {
	dir, err := os.MkdirTemp("", "crumb-build-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	builds.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	figures.print(os.Stdout, title)
	return code
}
