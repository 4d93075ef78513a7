package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/wasm"
)

// crumbEdge builds the command once per test and returns its path.
func crumbEdge(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crumb-edge")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func runCmd(t *testing.T, dir, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &out, &errb); code != exitOK || !strings.Contains(errb.String(), "crumb-edge init -origin") {
		t.Errorf("-h: %d %q", code, errb.String())
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, exitUsage},
		{[]string{"deploy"}, exitUsage},
		{[]string{"init"}, exitUsage},
		{[]string{"init", "-origin", "ftp://x", t.TempDir()}, exitUsage},
		{[]string{"init", "-origin", "https://o.internal", "-login", "//evil.example/", t.TempDir()}, exitUsage},
		{[]string{"init", "-origin", "https://o.internal", "-protect", "/%61dmin/", t.TempDir()}, exitUsage},
		{[]string{"init", "-origin", "https://o.internal", "-mode", "rot13", t.TempDir()}, exitUsage},
		{[]string{"init", "-h"}, exitOK},
		{[]string{"build", "-h"}, exitOK},
		{[]string{"dev", "-h"}, exitOK},
		{[]string{"build", t.TempDir()}, exitFail},
	} {
		errb.Reset()
		if code := run(context.Background(), tc.args, io.Discard, &errb); code != tc.want {
			t.Errorf("crumb-edge %q: exit %d, want %d (%s)", tc.args, code, tc.want, errb.String())
		}
	}
}

// TestInitBuildDev goes the user's way: init a project, build it, serve
// it with dev in workerd in front of an origin, and check that wrangler
// accepts the project as it is (deploy --dry-run, which works offline).
func TestInitBuildDev(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project and starts workerd")
	}
	workerd := servicetest.NodeModule(t, servicetest.WorkerdBin)
	root := servicetest.ModuleRoot(t)
	bin := crumbEdge(t)

	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%q path=%s xfh=%q", r.Header.Get("X-Crumb-User"), r.URL.Path, r.Header.Get("X-Forwarded-Host"))
	}))
	t.Cleanup(origin.Close)

	dir := filepath.Join(t.TempDir(), "my-gate")
	out, code := runCmd(t, "", bin, "init", "-origin", origin.URL, "-protect", "/private/", "-login", "/login", "-crumb", root, dir)
	if code != 0 {
		t.Fatalf("init: %d\n%s", code, out)
	}
	for _, f := range []string{"main.go", "go.mod", "go.sum", "worker.mjs", "crumb-worker.mjs", "wasm_exec.js", "wrangler.toml", ".dev.vars", ".gitignore"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s", f)
		}
	}
	shim, _ := os.ReadFile(filepath.Join(root, "wasm", "worker", "crumb-worker.mjs"))
	if got, _ := os.ReadFile(filepath.Join(dir, "crumb-worker.mjs")); !bytes.Equal(got, shim) {
		t.Error("the written shim is not this crumb version's")
	}

	out, code = runCmd(t, "", bin, "build", dir)
	if code != 0 {
		t.Fatalf("build: %d\n%s", code, out)
	}
	size := regexp.MustCompile(`gate.wasm: (\d+) B raw \(([0-9.]+) MB\), (\d+) B gzip level 9 \(([0-9.]+) MB\): fits the free plan`).FindStringSubmatch(out)
	if size == nil {
		t.Fatalf("build did not print the sizes: %s", out)
	}
	t.Logf("crumb-edge build: %s", strings.TrimSpace(out[strings.Index(out, "gate.wasm:"):]))

	checkDev(t, bin, workerd, dir)

	// wrangler accepts the project (offline: --dry-run builds the
	// upload and stops before any network call).
	wrangler := servicetest.NodeModule(t, "wrangler/bin/wrangler.js")
	node := servicetest.LookPath(t, "node", "apt-get install nodejs")
	dryRun := func(dir string) string {
		cmd := exec.Command(node, wrangler, "deploy", "--dry-run", "--outdir", filepath.Join(t.TempDir(), "out"))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CI=1", "WRANGLER_SEND_METRICS=false", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("wrangler deploy --dry-run in %s: %v\n%s", filepath.Base(dir), err, out)
		}
		return string(out)
	}
	if out := dryRun(dir); !strings.Contains(out, "env.ORIGIN_URL") || !strings.Contains(out, "gate.wasm") {
		t.Errorf("wrangler dry run does not list the module and ORIGIN_URL:\n%s", out)
	}

	// A KV project: the binding is in wrangler.toml, and dev declines.
	kvDir := filepath.Join(t.TempDir(), "kv-gate")
	if out, code := runCmd(t, "", bin, "init", "-origin", origin.URL, "-kv", "SESSIONS", "-revoke-kv", "SESSIONS", "-crumb", root, kvDir); code != 0 {
		t.Fatalf("init -kv: %d\n%s", code, out)
	}
	if out, code := runCmd(t, "", bin, "build", kvDir); code != 0 {
		t.Fatalf("build of the KV project: %d\n%s", code, out)
	} else {
		t.Logf("crumb-edge build (-kv): %s", strings.TrimSpace(out[strings.Index(out, "gate.wasm:"):]))
	}
	if out := dryRun(kvDir); !strings.Contains(out, "env.SESSIONS") {
		t.Errorf("wrangler dry run does not list the KV binding:\n%s", out)
	}
	if out, code := runCmd(t, "", bin, "dev", "-workerd", workerd, kvDir); code != exitFail || !strings.Contains(out, "wrangler dev") {
		t.Errorf("dev of a KV project: %d %q, want a pointer to wrangler dev", code, out)
	}

	// A cookie gate that checks the origin's revocation list in KV:
	// the list's binding is in wrangler.toml, and dev declines too.
	revDir := filepath.Join(t.TempDir(), "revoke-gate")
	if out, code := runCmd(t, "", bin, "init", "-origin", origin.URL, "-revoke-kv", "REVOKED", "-crumb", root, revDir); code != 0 {
		t.Fatalf("init -revoke-kv: %d\n%s", code, out)
	}
	if out, code := runCmd(t, "", bin, "build", revDir); code != 0 {
		t.Fatalf("build of the revocation project: %d\n%s", code, out)
	}
	if main, err := os.ReadFile(filepath.Join(revDir, "main.go")); err != nil || !strings.Contains(string(main), "opts.Revocation = kvstore.NewRevocations") {
		t.Errorf("main.go of the revocation project does not check the list (%v)", err)
	}
	if out := dryRun(revDir); !strings.Contains(out, "env.REVOKED") {
		t.Errorf("wrangler dry run does not list the revocation list's binding:\n%s", out)
	}
	if out, code := runCmd(t, "", bin, "dev", "-workerd", workerd, revDir); code != exitFail || !strings.Contains(out, "wrangler dev") {
		t.Errorf("dev of a revocation project: %d %q, want a pointer to wrangler dev", code, out)
	}
}

// checkDev serves the built project in dir with crumb-edge dev, as a
// user runs it, and checks that the gate redirects an anonymous request
// for a protected path and forwards one with a session sealed with the
// ring init wrote, with the verified identity.
func checkDev(t *testing.T, bin, workerd, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dev := exec.CommandContext(ctx, bin, "dev", "-workerd", workerd, dir)
	stdout, _ := dev.StdoutPipe()
	var devErr bytes.Buffer
	dev.Stderr = &devErr
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dev.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { dev.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			<-done
		}
		cancel()
		if t.Failed() {
			t.Logf("dev's stderr:\n%s", devErr.String())
		}
	})
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "serving "); ok {
				url <- u
			}
		}
	}()
	var base string
	select {
	case base = <-url:
	case <-time.After(60 * time.Second):
		t.Fatalf("dev did not start:\n%s", devErr.String())
	}

	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, cookie string) (int, string, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	if code, loc, _ := get("/private/x", ""); code != 303 || loc != "/login" {
		t.Errorf("anonymous protected page: %d %q, want 303 to /login", code, loc)
	}
	// A session sealed as the origin would, with the ring init wrote.
	vars, err := readVars(filepath.Join(dir, ".dev.vars"), false)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := wasm.NewSymmetricSealer(wasm.ModeEncrypted, vars["SESSION_KEYS"])
	if err != nil {
		t.Fatal(err)
	}
	type account struct {
		Email string `json:"email"`
	}
	st, err := cookiestore.New(sealer, cookiestore.Options[account]{InsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := st.LoadHeader(context.Background(), "")
	s.Data.Email = "alice@example.com"
	lines, err := st.Commit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _, _ := strings.Cut(lines[0], ";")
	if code, _, body := get("/private/x", cookie); code != 200 || !strings.Contains(body, `user="alice@example.com"`) {
		t.Errorf("authenticated: %d %q", code, body)
	}

}

// TestInitBuildDevTinyGo: the same with init -tinygo, built by TinyGo
// through crumb's go.tinygo.mod.
func TestInitBuildDevTinyGo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project with TinyGo and starts workerd")
	}
	tinygo := servicetest.TinyGo(t)
	workerd := servicetest.NodeModule(t, servicetest.WorkerdBin)
	root := servicetest.ModuleRoot(t)
	bin := crumbEdge(t)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%q path=%s", r.Header.Get("X-Crumb-User"), r.URL.Path)
	}))
	t.Cleanup(origin.Close)
	dir := filepath.Join(t.TempDir(), "tiny-gate")
	if out, code := runCmd(t, "", bin, "init", "-tinygo", "-tinygo-cmd", tinygo, "-origin", origin.URL, "-protect", "/private/", "-login", "/login", "-crumb", root, dir); code != 0 {
		t.Fatalf("init -tinygo: %d\n%s", code, out)
	}
	execJS, err := servicetest.TinyGoWasmExecJS(tinygo)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(execJS)
	if got, _ := os.ReadFile(filepath.Join(dir, "wasm_exec.js")); !bytes.Equal(got, want) {
		t.Error("init -tinygo did not write TinyGo's wasm_exec.js")
	}
	out, code := runCmd(t, "", bin, "build", "-tinygo-cmd", tinygo, dir)
	if code != 0 {
		t.Fatalf("build (TinyGo): %d\n%s", code, out)
	}
	t.Logf("crumb-edge build (TinyGo): %s", strings.TrimSpace(out[strings.Index(out, "gate.wasm:"):]))
	checkDev(t, bin, workerd, dir)
}
