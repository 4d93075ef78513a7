package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/lambda/lambdatest"
)

// gateTags are the documented build tags of the cookie-only gates
// (docs/edge.md); the Webdis gates (revgate, webdisgate) need kvstore's
// HTTP stores and are built without crumb_nohttp.
const gateTags = "crumb_nohttp,crumb_nojson"

// buildGate builds an edge gate from crumb's module for GOOS=js, once
// per test binary.
func buildGate(t *testing.T, name, pkg, tags string) string {
	t.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if bin, ok := builds.bins["wasm:"+name]; ok {
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "crumb-lambda-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir, builds.bins = dir, map[string]string{}
	}
	out := filepath.Join(builds.dir, name)
	flags := []string{"-ldflags=-s -w"}
	if tags != "" {
		flags = append(flags, "-tags="+tags)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := servicetest.GoBuild(ctx, servicetest.ModuleRoot(t), "js", pkg, out, flags...); err != nil {
		t.Fatal(err)
	}
	builds.bins["wasm:"+name] = out
	return out
}

// TestEndToEndChain drives Debian's Chromium through the whole chain:
// the browser talks to workerd running the edge gate, and the gate's
// origin is this function, run as a bootstrap process behind
// lambdatest.FrontDoor (a local Function URL). In each mode the browser
// is sent from a protected page to the login form, logs in at the
// origin, reaches the protected page with its verified identity (the
// gate renews the session when it holds a sealing key), logs out, and
// puts the cookie it had before the logout back. One Chromium
// (testdata/chain.mjs) runs every mode, each in a fresh browser context:
//
//   - encrypted: an AES-GCM cookie; the gate (revgate) holds the ring
//     and renews.
//   - ed448: the function signs with an Ed448 private ring, the gate
//     (revgate) verifies with the public ring only and never renews.
//   - webdis: the records live in Redis behind Webdis, written by the
//     function and read and renewed by the gate (webdisgate); the
//     cookie carries only the sealed session ID.
//
// After a logout, the old cookie no longer passes the gate in any mode.
// In the webdis mode the function deleted the record. In the cookie
// modes the session lives in the cookie, so the function and the gate
// share a revocation list in Redis behind Webdis
// (REVOCATION_WEBDIS_URL on both sides): the function's logout marks
// the session revoked, and the gate refuses the copy. The gate reads
// the list on every check (REVOCATION_MAX_STALE=0); the staleness
// bound's cache is kvstore's to test.
//
// Renewal without waiting: the function's clock runs 20 seconds behind
// (CRUMB_E2E_CLOCK_BEHIND, within the sealers' 30-second skew) and its
// sessions are sealed to renew after 12 seconds (a 10-minute idle
// timeout, renewal fraction 0.02). Every session the function issues is
// then due for renewal on the gate's real clock and never on its own.
func TestEndToEndChain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap, edge gates, workerd and Chromium")
	}
	node := servicetest.LookPath(t, "node", "apt-get install nodejs")
	chromium := servicetest.LookPath(t, "chromium", "apt-get install chromium")
	pw := servicetest.NodeModule(t, "playwright-core/index.mjs")
	servicetest.NodeModule(t, servicetest.WorkerdBin)
	execJS, err := servicetest.WasmExecJS()
	if err != nil {
		servicetest.Fail(t, err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "chain.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	root := servicetest.ModuleRoot(t)
	// One Chromium for every mode, started while the rest is built.
	drv := startChromium(t, node, script, pw, chromium)
	bin := buildVariant(t, "")

	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edKey, err := keys.GeneratePrivateKey(ed448.Scheme(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keys.NewPrivateRing(edKey)
	if err != nil {
		t.Fatal(err)
	}

	for _, mode := range []struct {
		name               string
		gate, pkg, tags    string
		gateMode, gateKeys string
		originKeys         string
		webdis             bool
		revocation         bool
		renews             bool
		refusal            string // why the old cookie is refused after logout
	}{
		{name: "encrypted", gate: "revgate.wasm", pkg: "./examples/edge-gate/revgate", tags: "crumb_nojson",
			gateMode: "encrypted", gateKeys: ring.Export(), originKeys: ring.Export(), revocation: true, renews: true,
			refusal: "the function's logout revoked the cookie session in the shared revocation list"},
		{name: "ed448", gate: "revgate.wasm", pkg: "./examples/edge-gate/revgate", tags: "crumb_nojson",
			gateMode: "ed448-verify", gateKeys: priv.Public().Export(), originKeys: priv.Export(), revocation: true,
			refusal: "the function's logout revoked the cookie session in the shared revocation list"},
		{name: "webdis", gate: "webdisgate.wasm", pkg: "./examples/edge-gate/webdisgate",
			gateMode: "encrypted", gateKeys: ring.Export(), originKeys: ring.Export(), webdis: true, renews: true,
			refusal: "the function's logout deleted the session record"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			gateWasm := buildGate(t, mode.gate, mode.pkg, mode.tags)
			env := []string{"CRUMB_E2E_CLOCK_BEHIND=20s", "CRUMB_E2E_IDLE=10m", "CRUMB_E2E_RENEW_FRACTION=0.02"}
			bindings := map[string]string{
				"SESSION_MODE":    mode.gateMode,
				"SESSION_KEYS":    mode.gateKeys,
				"PROTECTED_PATHS": "/private/",
				"LOGIN_PATH":      "/",
			}
			if mode.webdis || mode.revocation {
				redis := servicetest.StartRedis(t)
				wd := servicetest.StartWebdis(t, redis.Addr, servicetest.WebdisConfig{})
				prefix := "WEBDIS_"
				if mode.revocation {
					prefix = "REVOCATION_WEBDIS_"
					bindings["REVOCATION_MAX_STALE"] = "0"
				}
				for k, v := range map[string]string{"URL": wd.URL, "USER": wd.User, "PASSWORD": wd.Password} {
					env = append(env, prefix+k+"="+v)
					bindings[prefix+k] = v
				}
			}
			rt := lambdatest.NewRuntime(t)
			proc := startBootstrapEnv(t, bin, rt, mode.originKeys, env...)
			fd := httptest.NewServer(&lambdatest.FrontDoor{Runtime: rt, Timeout: 30 * time.Second})
			t.Cleanup(fd.Close)
			bindings["ORIGIN_URL"] = fd.URL

			w := servicetest.StartWorkerd(t, servicetest.WorkerdConfig{
				Modules: []servicetest.WorkerdModule{
					{Name: "worker.mjs", Path: filepath.Join(root, "examples", "edge-gate", "worker.mjs")},
					{Name: "crumb-worker.mjs", Path: filepath.Join(root, "wasm", "worker", "crumb-worker.mjs")},
					{Name: "wasm_exec.js", Path: execJS},
					{Name: "gate.wasm", Path: gateWasm},
				},
				Bindings: bindings,
				Deadline: 3 * time.Minute,
			})
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("workerd log:\n%s", w.Log())
				}
			})

			// A first request instantiates the gate's module in
			// workerd and warms the function.
			warm := time.Now()
			resp, err := (&http.Client{Timeout: time.Minute}).Get(w.URL + "/")
			if err != nil {
				t.Fatalf("gate warm-up: %v", err)
			}
			resp.Body.Close()
			t.Logf("gate warm-up: HTTP %d after %v", resp.StatusCode, time.Since(warm).Round(time.Millisecond))

			drv.run(t, chainJob{URL: w.URL, Renew: mode.renews, Refusal: mode.refusal})
			if proc.exited() {
				t.Fatalf("the function exited:\n%s", proc.log())
			}
		})
	}
}

// chainJob is one run of testdata/chain.mjs's flow.
type chainJob struct {
	URL   string `json:"url"`
	Renew bool   `json:"renew"`
	// Refusal says why the gate must refuse the cookie copied before
	// the logout; the script's failure message quotes it.
	Refusal string `json:"refusal"`
}

// chromiumDriver is testdata/chain.mjs running in node: one Chromium
// that runs each job written to its stdin in a fresh browser context.
type chromiumDriver struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr *process
}

func startChromium(t *testing.T, node, script, pw, chromium string) *chromiumDriver {
	t.Helper()
	ctx := servicetest.Context(t, 10*time.Minute)
	d := &chromiumDriver{cmd: exec.CommandContext(ctx, node, script), stderr: &process{}}
	d.cmd.Env = append(os.Environ(), "PLAYWRIGHT_CORE="+pw, "CHROMIUM="+chromium)
	d.cmd.Stderr = d.stderr
	var err error
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.lines = bufio.NewScanner(out)
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.stdin.Close() // the script closes Chromium and exits
		d.cmd.Wait()
	})
	return d
}

// run sends job to the script and fails t unless the flow passes; the
// script's lines go to t's log.
func (d *chromiumDriver) run(t *testing.T, job chainJob) {
	t.Helper()
	b, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.stdin.Write(append(b, '\n')); err != nil {
		t.Fatalf("browser script: %v\n%s", err, d.stderr.log())
	}
	start := time.Now()
	var log strings.Builder
	defer func() { t.Logf("browser (%v):\n%s", time.Since(start).Round(time.Millisecond), log.String()) }()
	steps := 0
	for d.lines.Scan() {
		line := d.lines.Text()
		log.WriteString(line + "\n")
		switch {
		case strings.HasPrefix(line, "ok: "):
			steps++
		case line == "PASS":
			if steps != 6 {
				t.Fatalf("the browser flow passed %d steps, want 6", steps)
			}
			return
		case strings.HasPrefix(line, "FAIL"):
			t.Fatalf("browser flow: %s", line)
		}
	}
	t.Fatalf("the browser script ended before the flow did: %v\n%s", d.lines.Err(), d.stderr.log())
}
