package tinygogate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// gated lists the package patterns bound for TinyGo, relative to the
// module root. core entries must exist; the others are checked once
// their directory does.
var gated = []struct {
	dir  string // directory relative to the module root
	core bool
	goos string // "" for every target, else the only GOOS it builds for
}{
	{".", true, ""},
	{"keys", true, ""},
	{"keys/ed25519", true, ""},
	{"keys/ed448", true, ""},
	{"unsigned", true, ""},
	{"signed", true, ""},
	{"encrypted", true, ""},
	{"internal/wire", true, ""},
	{"internal/sealopt", true, ""},
	{"cookiestore", false, ""},
	{"wasm", false, ""},
	{"wasm/worker", false, "js"},
	{"wasm/reactor", false, "wasip1"},
	{"wasm/gate", false, ""},
	{"wasm/pubsealer", false, ""},
	{"examples/edge-gate", false, "js"},
	{"examples/edge-gate/ed448gate", false, "js"},
	{"wasm/internal/echo", false, "js"},
}

// providedByTinyGo are std packages missing from the documentation's
// list because TinyGo supplies its own implementation of them.
var providedByTinyGo = map[string]bool{
	"runtime":    true, // TinyGo's own runtime
	"syscall/js": true, // TinyGo's own, for its wasm targets
}

// alsoDenied are packages crumb rules out for TinyGo-bound code even
// where the TinyGo list is more generous (reflection-heavy or process
// facilities an edge worker does not have).
var alsoDenied = map[string]string{
	"encoding/gob": "ruled out for edge code",
	"os/exec":      "ruled out for edge code",
	"net/http":     "the cookie-only edge packages do not need it; edge builds fetch through the runtime",
}

// pkg is the part of `go list -json` output the gate reads.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// verdict is what judge concludes about one dependency graph.
type verdict struct {
	failures []string // one line each, with an importer chain
	unjudged []string // std packages missing from the list, allowed, with their importers
}

// judge applies the rules to a graph:
//   - a std package marked "no", or in alsoDenied, fails;
//   - a std package not on the list (typically newer than Go 1.23) is
//     allowed only when every package importing it is golang.org/x/crypto,
//     a Go-internal package (internal/..., vendor/..., */internal/...),
//     or another standard-library package (then TinyGo's own std build
//     handles it); reported as unjudged. Imported straight from crumb or
//     another module, it fails.
func judge(list map[string]bool, pkgs []pkg, roots []string) verdict {
	byPath := map[string]pkg{}
	importers := map[string][]string{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
		for _, imp := range p.Imports {
			importers[imp] = append(importers[imp], p.ImportPath)
		}
	}
	var v verdict
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		p := byPath[path]
		if !p.Standard || goInternal(path) || providedByTinyGo[path] {
			continue
		}
		ok, listed := list[path]
		if why, denied := alsoDenied[path]; denied {
			v.failures = append(v.failures, fmt.Sprintf("%s (%s), via %s", path, why, chain(byPath, roots, path)))
			continue
		}
		if listed && !ok {
			v.failures = append(v.failures, fmt.Sprintf("%s (not importable by TinyGo), via %s", path, chain(byPath, roots, path)))
			continue
		}
		if listed {
			continue
		}
		var bad []string
		for _, imp := range importers[path] {
			if !byPath[imp].Standard && !strings.HasPrefix(imp, "golang.org/x/crypto/") {
				bad = append(bad, imp)
			}
		}
		sort.Strings(bad)
		imps := append([]string(nil), importers[path]...)
		sort.Strings(imps)
		if len(bad) > 0 {
			v.failures = append(v.failures, fmt.Sprintf("%s (not on TinyGo's list, imported directly by %s)", path, strings.Join(bad, ", ")))
			continue
		}
		v.unjudged = append(v.unjudged, fmt.Sprintf("%s <- %s", path, strings.Join(imps, ", ")))
	}
	return v
}

// goInternal reports Go's own internal packages, which no user code can
// import and which come with whatever std package needs them.
func goInternal(path string) bool {
	return strings.HasPrefix(path, "internal/") || strings.HasPrefix(path, "vendor/") ||
		strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal")
}

// chain returns an import chain from one of roots to target, by
// breadth-first search.
func chain(byPath map[string]pkg, roots []string, target string) string {
	prev := map[string]string{}
	queue := []string{}
	for _, r := range roots {
		if _, ok := byPath[r]; ok {
			prev[r] = ""
			queue = append(queue, r)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == target {
			var c []string
			for p := cur; p != ""; p = prev[p] {
				c = append([]string{p}, c...)
			}
			return strings.Join(c, " -> ")
		}
		for _, imp := range byPath[cur].Imports {
			if _, seen := prev[imp]; !seen {
				prev[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	return "(no chain found)"
}

func loadList(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "stdlib-importable.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || (fields[1] != "yes" && fields[1] != "no") {
			t.Fatalf("bad line in stdlib-importable.txt: %q", line)
		}
		list[fields[0]] = fields[1] == "yes"
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(list) < 100 || list["net/http"] || !list["crypto/aes"] {
		t.Fatalf("stdlib-importable.txt does not look like TinyGo's list (%d entries)", len(list))
	}
	return list
}

func moduleRoot(t *testing.T) (root, module string) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		t.Fatalf("go env GOMOD: %v %q", err, out)
	}
	root = filepath.Dir(strings.TrimSpace(string(out)))
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "module" {
			module = f[1]
		}
	}
	return root, module
}

// goList runs `go list -deps -json -tags tinygo` over pkgs in env.
func goList(t *testing.T, root string, env []string, pkgs []string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps", "-json=ImportPath,Standard,Imports", "-tags", "tinygo"}, pkgs...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", env, err, stderr.String())
	}
	var all []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	return all
}

func TestTinyGoImportGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	list := loadList(t)
	root, module := moduleRoot(t)
	type entry struct{ pattern, root, goos string }
	var entries []entry
	cores := 0
	for _, g := range gated {
		st, err := os.Stat(filepath.Join(root, g.dir))
		if err != nil || !st.IsDir() {
			if g.core {
				t.Errorf("core TinyGo-bound package %s is missing", g.dir)
			} else {
				t.Logf("%s does not exist yet; not gated", g.dir)
			}
			continue
		}
		e := entry{pattern: "./" + g.dir, root: module + "/" + g.dir, goos: g.goos}
		if g.dir == "." {
			e = entry{pattern: ".", root: module}
		}
		entries = append(entries, e)
		if g.core {
			cores++
		}
	}
	if cores == 0 {
		t.Fatal("none of the core TinyGo-bound packages found: wrong working directory?")
	}
	for _, target := range []struct{ name, goos, goarch string }{
		{"host", "", ""}, {"js-wasm", "js", "wasm"}, {"wasip1-wasm", "wasip1", "wasm"},
	} {
		t.Run(target.name, func(t *testing.T) {
			var env, pkgs, roots []string
			if target.goos != "" {
				env = []string{"GOOS=" + target.goos, "GOARCH=" + target.goarch}
			}
			for _, e := range entries {
				if e.goos == "" || e.goos == target.goos {
					pkgs, roots = append(pkgs, e.pattern), append(roots, e.root)
				}
			}
			graph := goList(t, root, env, pkgs)
			v := judge(list, graph, roots)
			for _, f := range v.failures {
				t.Error(f)
			}
			t.Logf("%d packages from %s; std packages not on TinyGo's list, allowed (reached only through std, Go-internal or golang.org/x/crypto importers):", len(graph), strings.Join(pkgs, " "))
			for _, u := range v.unjudged {
				t.Log("  " + u)
			}
		})
	}
}

func index(pkgs []pkg) map[string]pkg {
	m := map[string]pkg{}
	for _, p := range pkgs {
		m[p.ImportPath] = p
	}
	return m
}

// TestJudgeCanFail feeds judge graphs that must fail, and ones that
// must pass, so the gate is known to bite.
func TestJudgeCanFail(t *testing.T) {
	list := map[string]bool{"crypto/aes": true, "crypto/ed25519": false, "net/http": false, "strings": true, "os/exec": true}
	const mod = "github.com/crumbkit/crumb"
	cases := []struct {
		name    string
		graph   []pkg
		fail    string // substring of the expected failure; "" for none
		unjudge string
	}{
		{"clean", []pkg{{mod, false, []string{"crypto/aes", "strings"}}, {"crypto/aes", true, nil}, {"strings", true, nil}}, "", ""},
		{"crypto/ed25519 through a module", []pkg{
			{mod, false, []string{"github.com/x/y"}},
			{"github.com/x/y", false, []string{"crypto/ed25519"}},
			{"crypto/ed25519", true, nil},
		}, mod + " -> github.com/x/y -> crypto/ed25519", ""},
		{"net/http", []pkg{{mod, false, []string{"net/http"}}, {"net/http", true, nil}}, "net/http", ""},
		{"os/exec is on the list as yes but denied by crumb", []pkg{{mod, false, []string{"os/exec"}}, {"os/exec", true, nil}}, "os/exec", ""},
		{"new std package imported by crumb", []pkg{{mod, false, []string{"crypto/hkdf"}}, {"crypto/hkdf", true, nil}}, "imported directly by " + mod, ""},
		{"new std package through x/crypto", []pkg{
			{mod, false, []string{"golang.org/x/crypto/hkdf"}},
			{"golang.org/x/crypto/hkdf", false, []string{"crypto/hkdf"}},
			{"crypto/hkdf", true, nil},
		}, "", "crypto/hkdf <- golang.org/x/crypto/hkdf"},
		{"new std package through std", []pkg{
			{mod, false, []string{"strings"}},
			{"strings", true, []string{"iter"}},
			{"iter", true, nil},
		}, "", "iter <- strings"},
		{"go-internal packages are not judged", []pkg{
			{mod, false, []string{"crypto/aes"}},
			{"crypto/aes", true, []string{"crypto/internal/fips140/aes"}},
			{"crypto/internal/fips140/aes", true, nil},
		}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := judge(list, c.graph, []string{mod})
			joined := strings.Join(v.failures, "\n")
			if c.fail == "" && len(v.failures) > 0 {
				t.Fatalf("unexpected failures:\n%s", joined)
			}
			if c.fail != "" && !strings.Contains(joined, c.fail) {
				t.Fatalf("failures %q do not contain %q", joined, c.fail)
			}
			if c.unjudge != "" && !strings.Contains(strings.Join(v.unjudged, "\n"), c.unjudge) {
				t.Fatalf("unjudged %q do not contain %q", v.unjudged, c.unjudge)
			}
		})
	}
}
