package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"text/template"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
	"github.com/crumbkit/crumb/wasm/worker"
)

// compatibilityDate is what wrangler.toml and dev's workerd config
// say: accepted by the workerd that wrangler 4.86 bundles (it refuses
// dates after 2026-05-03) and by the standalone workerd package, and
// recent enough for what the shim uses.
const compatibilityDate = "2025-09-01"

// stateFile records how the project was made, for build and dev.
const stateFile = ".crumb-edge"

const initUsage = `usage: crumb-edge init [flags] DIR

Writes a gate project into DIR (created if missing; existing files are
kept unless -force):

  main.go           the gate: package wasm/gate with the settings below
  go.mod, go.sum    requiring this crumb version (or -crumb DIR's code)
  worker.mjs        the worker's main module
  crumb-worker.mjs  the JavaScript shim of this crumb version
  wasm_exec.js      the loader of the compiler that will build the module
                    (stock Go's from 'go env GOROOT', TinyGo's with -tinygo)
  wrangler.toml     for wrangler deploy: rules, [vars] ORIGIN_URL, and a
                    [[kv_namespaces]] binding with -kv and -revoke-kv
  .dev.vars         local-only secrets for dev: a freshly generated
                    SESSION_KEYS and SESSION_INSECURE=1 (plain HTTP)
  .gitignore        keeps gate.wasm, .dev.vars and origin.keys out of git

The ring in .dev.vars is for local use; the origin must seal with the same
ring (for ed448-verify, origin.keys holds the private ring the origin signs
with). For production set the ring with 'wrangler secret put SESSION_KEYS'.

Flags:
`

type initOptions struct {
	dir, mode, cookie, protect, login, origin, kv, revokeKV, name, module, crumb, goCmd, tinygoCmd string
	tinygo, force, noTidy                                                                          bool
}

func runInit(args []string, stdout, stderr io.Writer) error {
	var o initOptions
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, initUsage); fs.PrintDefaults() }
	fs.StringVar(&o.origin, "origin", "", "the origin's base URL, such as https://app.internal (required; written to wrangler.toml [vars] ORIGIN_URL)")
	fs.StringVar(&o.mode, "mode", "encrypted", "sealer mode, as the origin's: encrypted, hmac, ed448-verify (the edge holds only the public ring) or ed448-sign; the Ed448 modes link Ed448 (about 150 KB gzip)")
	fs.StringVar(&o.cookie, "cookie", "session", "the session cookie's name, as the origin's")
	fs.StringVar(&o.protect, "protect", "/account/", "comma-separated path prefixes that need a session; each a canonical path")
	fs.StringVar(&o.login, "login", "/", "where anonymous requests for protected paths are redirected: a path on this host")
	fs.StringVar(&o.kv, "kv", "", "keep sessions in Workers KV through the namespace binding of this name (for example SESSIONS); cookie-only when empty")
	fs.StringVar(&o.revokeKV, "revoke-kv", "", "check the origin's revocation list (kvstore.Revocations) in the Workers KV namespace binding of this name (may be -kv's), so that a session revoked at the origin no longer passes; none when empty")
	fs.BoolVar(&o.tinygo, "tinygo", false, "build with TinyGo: write TinyGo's wasm_exec.js and make build use 'tinygo build -target=wasm'")
	fs.StringVar(&o.name, "name", "", "the worker's name in wrangler.toml (default: DIR's base name)")
	fs.StringVar(&o.module, "module", "", "the Go module path of the project (default: example.com/NAME)")
	fs.StringVar(&o.crumb, "crumb", "", "use the crumb source tree at this directory (a replace directive) instead of this crumb-edge's version")
	fs.StringVar(&o.goCmd, "go", "go", "the go command")
	fs.StringVar(&o.tinygoCmd, "tinygo-cmd", "tinygo", "the tinygo command, with -tinygo")
	fs.BoolVar(&o.force, "force", false, "overwrite files that exist")
	fs.BoolVar(&o.noTidy, "no-tidy", false, "do not run 'go mod tidy' (which writes go.sum and may download modules)")
	dir, err := oneDir(fs, args)
	if err != nil {
		return err
	}
	o.dir = dir
	return initProject(o, stdout)
}

func initProject(o initOptions, stdout io.Writer) error {
	mode, ok := wasm.ParseMode(o.mode)
	if !ok {
		return fmt.Errorf("%w: -mode %q is not encrypted, hmac, ed448-verify or ed448-sign", errUsage, o.mode)
	}
	if !strings.HasPrefix(o.origin, "http://") && !strings.HasPrefix(o.origin, "https://") {
		return fmt.Errorf("%w: -origin must be an http:// or https:// URL", errUsage)
	}
	var protect []string
	for _, p := range strings.Split(o.protect, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !gate.Canonical(p) {
				return fmt.Errorf("%w: -protect: %q is not a canonical path", errUsage, p)
			}
			protect = append(protect, p)
		}
	}
	if lp, _, _ := strings.Cut(o.login, "?"); !gate.Canonical(lp) {
		return fmt.Errorf("%w: -login must be a path on this host, such as /login", errUsage)
	}
	if o.cookie == "" || strings.ContainsAny(o.cookie, " ;,=\"\t\r\n") {
		return fmt.Errorf("%w: -cookie %q is not a cookie name", errUsage, o.cookie)
	}
	if o.kv != "" && !jsIdent(o.kv) {
		return fmt.Errorf("%w: -kv %q is not a binding name (letters, digits, _)", errUsage, o.kv)
	}
	if o.revokeKV != "" && !jsIdent(o.revokeKV) {
		return fmt.Errorf("%w: -revoke-kv %q is not a binding name (letters, digits, _)", errUsage, o.revokeKV)
	}
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if o.name == "" {
		o.name = workerName(filepath.Base(abs))
	}
	if o.module == "" {
		o.module = "example.com/" + o.name
	}
	version, err := crumbVersion(o.crumb)
	if err != nil {
		return err
	}
	execJS, err := wasmExecJS(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	data := map[string]any{
		"Name": o.name, "Module": o.module, "Mode": mode.String(), "Cookie": o.cookie,
		"Protect": strings.Join(protect, ","), "Login": o.login, "Origin": o.origin, "KV": o.kv,
		"RevokeKV": o.revokeKV, "Async": o.kv != "" || o.revokeKV != "",
		"Ed448":   mode == wasm.ModeEd448Verify || mode == wasm.ModeEd448Sign,
		"Version": version, "Crumb": o.crumb, "Date": compatibilityDate, "TinyGo": o.tinygo,
	}
	if o.crumb != "" {
		data["Crumb"], _ = filepath.Abs(o.crumb)
	}
	devVars, originKeys, err := localKeys(mode)
	if err != nil {
		return err
	}
	shim, err := fs.ReadFile(worker.Files(), "crumb-worker.mjs")
	if err != nil {
		return err
	}
	compiler := "go"
	if o.tinygo {
		compiler = "tinygo"
	}
	files := []struct {
		name string
		body []byte
		perm os.FileMode
	}{
		{"main.go", render(mainTemplate, data), 0o644},
		{"go.mod", render(goModTemplate, data), 0o644},
		{"worker.mjs", []byte(workerMJS), 0o644},
		{"crumb-worker.mjs", shim, 0o644},
		{"wasm_exec.js", execJS, 0o644},
		{"wrangler.toml", render(wranglerTemplate, data), 0o644},
		{".dev.vars", []byte(devVars), 0o600},
		{".gitignore", []byte("gate.wasm\n.dev.vars\norigin.keys\n.crumb-edge-dev/\n.crumb-edge-tinygo/\n"), 0o644},
		{stateFile, []byte("compiler = " + compiler + "\nkv = " + stateKV(o) + "\n"), 0o644},
	}
	if originKeys != "" {
		files = append(files, struct {
			name string
			body []byte
			perm os.FileMode
		}{"origin.keys", []byte(originKeys), 0o600})
	}
	for _, f := range files {
		p := filepath.Join(abs, f.name)
		if _, err := os.Stat(p); err == nil && !o.force {
			fmt.Fprintf(stdout, "kept    %s (exists; -force overwrites)\n", p)
			continue
		}
		if err := os.WriteFile(p, f.body, f.perm); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote   %s\n", p)
	}
	if !o.noTidy {
		cmd := exec.Command(o.goCmd, "mod", "tidy")
		cmd.Dir = abs
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=-tags=crumb_nohttp,crumb_nojson")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go mod tidy in %s: %v\n%s", abs, err, out)
		}
		fmt.Fprintf(stdout, "ran     go mod tidy\n")
	}
	fmt.Fprintf(stdout, "\nnext: crumb-edge build %s && crumb-edge dev %s\n", o.dir, o.dir)
	if originKeys != "" {
		fmt.Fprintf(stdout, "the origin signs with the private ring in %s\n", filepath.Join(o.dir, "origin.keys"))
	} else {
		fmt.Fprintf(stdout, "the origin must seal with the ring in %s (SESSION_KEYS)\n", filepath.Join(o.dir, ".dev.vars"))
	}
	return nil
}

// localKeys returns .dev.vars, and for ed448-verify the private ring
// the origin needs.
func localKeys(mode wasm.Mode) (devVars, originKeys string, err error) {
	var ring string
	switch mode {
	case wasm.ModeEncrypted, wasm.ModeHMAC:
		r, err := keys.GenerateRing(nil)
		if err != nil {
			return "", "", err
		}
		ring = r.Export()
	default:
		k, err := keys.GeneratePrivateKey(ed448.Scheme(), nil)
		if err != nil {
			return "", "", err
		}
		priv, err := keys.NewPrivateRing(k)
		if err != nil {
			return "", "", err
		}
		ring = priv.Export()
		if mode == wasm.ModeEd448Verify {
			originKeys = "# The private Ed448 ring the origin signs sessions with (its SESSION_KEYS).\n# Local use only: keep it out of git and generate production keys with keygen.\n" + ring + "\n"
			ring = priv.Public().Export()
		}
	}
	devVars = "# Local settings for 'crumb-edge dev' and 'wrangler dev'; never deploy them.\n" +
		"# For production: wrangler secret put SESSION_KEYS\n" +
		"SESSION_KEYS = " + strconv.Quote(ring) + "\n" +
		"SESSION_INSECURE = \"1\"\n"
	return devVars, originKeys, nil
}

// crumbVersion is the version go.mod requires: this binary's own
// module version, or a placeholder replaced by -crumb.
func crumbVersion(crumbDir string) (string, error) {
	if crumbDir != "" {
		if _, err := os.Stat(filepath.Join(crumbDir, "go.mod")); err != nil {
			return "", fmt.Errorf("%w: -crumb %s has no go.mod", errUsage, crumbDir)
		}
		return "v0.0.0-00010101000000-000000000000", nil
	}
	bi, ok := debug.ReadBuildInfo()
	if ok && bi.Main.Path == "github.com/crumbkit/crumb" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version, nil
	}
	return "", fmt.Errorf("%w: this crumb-edge was built from a source tree, not a released version: pass -crumb DIR (that tree)", errUsage)
}

// wasmExecJS reads the loader of the compiler that will build the
// module: the two must come from the same compiler (and version).
func wasmExecJS(o initOptions) ([]byte, error) {
	var root string
	var rels []string
	if o.tinygo {
		out, err := exec.Command(o.tinygoCmd, "env", "TINYGOROOT").Output()
		if err != nil {
			return nil, fmt.Errorf("tinygo env TINYGOROOT: %v (is TinyGo installed? -tinygo-cmd names it)", err)
		}
		root, rels = strings.TrimSpace(string(out)), []string{"targets/wasm_exec.js"}
	} else {
		out, err := exec.Command(o.goCmd, "env", "GOROOT").Output()
		if err != nil {
			return nil, fmt.Errorf("go env GOROOT: %v", err)
		}
		root, rels = strings.TrimSpace(string(out)), []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"}
	}
	for _, rel := range rels {
		if b, err := os.ReadFile(filepath.Join(root, rel)); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("no wasm_exec.js under %s", root)
}

func jsIdent(s string) bool {
	for i, c := range s {
		if !(c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// workerName makes a wrangler worker name: lower-case letters, digits
// and dashes.
func workerName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	n := strings.Trim(b.String(), "-")
	if n == "" {
		return "crumb-gate"
	}
	return n
}

func render(t *template.Template, data any) []byte {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic(err) // the templates are fixed; a failure is a bug
	}
	return b.Bytes()
}

var errNotInit = errors.New("not a crumb-edge project (no " + stateFile + "; run crumb-edge init)")

// stateKV is the KV binding dev must decline for (it has no local KV):
// the sessions' or else the revocation list's.
func stateKV(o initOptions) string {
	if o.kv != "" {
		return o.kv
	}
	return o.revokeKV
}
