package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

const devUsage = `usage: crumb-edge dev [flags] DIR

Serves the gate built in DIR (run crumb-edge build first) in workerd on
127.0.0.1, on a free port unless -port is given, until interrupted. The
worker gets the variables of DIR/wrangler.toml's [vars] and of
DIR/.dev.vars (which init fills with a local ring and SESSION_INSECURE=1),
and may fetch origins on loopback and private addresses. It prints

  serving http://127.0.0.1:PORT

once workerd listens. workerd comes from -workerd, $CRUMB_WORKERD, PATH,
or a node_modules directory in DIR or above (npm install workerd).
Projects with a KV binding (init -kv) need a KV implementation: serve them
with 'npx wrangler dev' (local KV), not with this command.

Flags:
`

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, devUsage); fs.PrintDefaults() }
	port := fs.Int("port", 0, "the port to listen on; a free one when 0")
	workerdFlag := fs.String("workerd", "", "the workerd binary")
	dir, err := oneDir(fs, args)
	if err != nil {
		return err
	}
	state, err := readState(dir)
	if err != nil {
		return err
	}
	if state["kv"] != "" {
		return errors.New("this project uses Workers KV (binding " + state["kv"] + "): serve it with 'npx wrangler dev', which provides local KV")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for _, f := range []string{"worker.mjs", "crumb-worker.mjs", "wasm_exec.js", "gate.wasm"} {
		if _, err := os.Stat(filepath.Join(abs, f)); err != nil {
			return fmt.Errorf("%s is missing (crumb-edge build %s writes gate.wasm)", f, dir)
		}
	}
	bin, err := findWorkerd(*workerdFlag, abs)
	if err != nil {
		return err
	}
	vars, err := readVars(filepath.Join(abs, "wrangler.toml"), true)
	if err != nil {
		return err
	}
	local, err := readVars(filepath.Join(abs, ".dev.vars"), false)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for k, v := range local {
		vars[k] = v
	}
	if *port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		*port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	addr := "127.0.0.1:" + strconv.Itoa(*port)
	work := filepath.Join(abs, ".crumb-edge-dev")
	if err := os.MkdirAll(work, 0o700); err != nil {
		return err
	}
	config := filepath.Join(work, "config.capnp")
	if err := os.WriteFile(config, []byte(capnpConfig(addr, vars)), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", config)
	cmd.Dir = work
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting workerd: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-done:
			return fmt.Errorf("workerd exited before listening: %v", err)
		case <-ctx.Done():
			cmd.Process.Kill()
			<-done
			return nil
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return errors.New("workerd did not listen within 30 s")
		}
	}
	fmt.Fprintf(stdout, "serving http://%s\n", addr)
	select {
	case err := <-done:
		return fmt.Errorf("workerd exited: %v", err)
	case <-ctx.Done():
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		return nil
	}
}

// findWorkerd looks for workerd where npm and the user put it.
func findWorkerd(flagValue, dir string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if p := os.Getenv("CRUMB_WORKERD"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("workerd"); err == nil {
		return p, nil
	}
	wd, _ := os.Getwd()
	for _, start := range []string{dir, wd} {
		for d := start; ; d = filepath.Dir(d) {
			p := filepath.Join(d, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd")
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("workerd not found: npm install workerd, or pass -workerd")
}

// readVars reads KEY = "value" lines: from wrangler.toml's [vars]
// section when section is true, from every line of a .dev.vars file
// otherwise. It reads the subset init writes (and .dev.vars' dotenv
// form, KEY=value), not all of TOML.
func readVars(path string, section bool) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	in := !section
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "[") {
			in = !section || line == "[vars]"
			continue
		}
		if !in {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("%s: the value of %s is not a quoted string", path, k)
			}
			v = u
		}
		vars[k] = v
	}
	return vars, sc.Err()
}

func capnpConfig(addr string, vars map[string]string) string {
	var b strings.Builder
	b.WriteString("# Written by crumb-edge dev.\nusing Workerd = import \"/workerd/workerd.capnp\";\n\n")
	b.WriteString("const config :Workerd.Config = (\n  services = [\n")
	b.WriteString("    (name = \"main\", worker = .worker),\n")
	b.WriteString("    (name = \"outbound\", network = (allow = [\"public\", \"local\", \"private\"])),\n  ],\n")
	fmt.Fprintf(&b, "  sockets = [(name = \"http\", address = %s, http = (), service = \"main\")],\n);\n\n", capnpQuote(addr))
	b.WriteString("const worker :Workerd.Worker = (\n  modules = [\n")
	for _, m := range []string{"worker.mjs", "crumb-worker.mjs", "wasm_exec.js"} {
		fmt.Fprintf(&b, "    (name = %s, esModule = embed %s),\n", capnpQuote(m), capnpQuote("../"+m))
	}
	b.WriteString("    (name = \"gate.wasm\", wasm = embed \"../gate.wasm\"),\n  ],\n  bindings = [\n")
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "    (name = %s, text = %s),\n", capnpQuote(k), capnpQuote(vars[k]))
	}
	fmt.Fprintf(&b, "  ],\n  compatibilityDate = %s,\n  globalOutbound = \"outbound\",\n);\n", capnpQuote(compatibilityDate))
	return b.String()
}

func capnpQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
