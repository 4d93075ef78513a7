package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Cloudflare's limits on a worker's compressed size, which Cloudflare
// states as "3 MB" and "10 MB": read as decimal megabytes, the smaller
// reading.
const (
	freeLimit = 3_000_000
	paidLimit = 10_000_000
)

const buildUsage = `usage: crumb-edge build [flags] DIR

Compiles the gate in DIR to DIR/gate.wasm and prints its size, raw and
compressed with gzip at level 9, against Cloudflare's limits on a worker's
compressed size: 3 MB on the free plan, 10 MB on paid plans.

With stock Go (the default) it runs, in DIR:

  GOOS=js GOARCH=wasm go build -tags crumb_nohttp,crumb_nojson -trimpath -ldflags='-s -w' -o gate.wasm .

(crumb_nohttp and crumb_nojson leave net/http and encoding/json out; -s -w
drops symbols and DWARF). With TinyGo (a project made with init -tinygo, or
-tinygo here) it runs:

  tinygo build -target=wasm -no-debug -tags crumb_nohttp,crumb_nojson -o gate.wasm .

TinyGo 0.34 accepts Go 1.19 to 1.23 only, while crumb's go.mod needs a newer
Go. So a TinyGo build uses crumb's go.tinygo.mod (its module file pinned to
what Go 1.23 accepts): build writes DIR/.crumb-edge-tinygo/, a copy of crumb
made of that file and links to crumb's source, and a module file for the
project replacing crumb with it, and passes it with GOFLAGS=-modfile.

Flags:
`

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, buildUsage); fs.PrintDefaults() }
	tinygo := fs.Bool("tinygo", false, "build with TinyGo even if the project was made for stock Go")
	goCmd := fs.String("go", "go", "the go command")
	tinygoCmd := fs.String("tinygo-cmd", "tinygo", "the tinygo command")
	dir, err := oneDir(fs, args)
	if err != nil {
		return err
	}
	state, err := readState(dir)
	if err != nil {
		return err
	}
	if state["compiler"] == "tinygo" {
		*tinygo = true
	}
	out := filepath.Join(dir, "gate.wasm")
	var cmd *exec.Cmd
	env := os.Environ()
	if *tinygo {
		modfile, err := tinyGoModfile(ctx, *goCmd, dir)
		if err != nil {
			return err
		}
		cmd = exec.CommandContext(ctx, *tinygoCmd, "build", "-target=wasm", "-no-debug", "-tags=crumb_nohttp,crumb_nojson", "-o", "gate.wasm", ".")
		env = append(env, "GOFLAGS=-modfile="+modfile+" -mod=mod")
	} else {
		cmd = exec.CommandContext(ctx, *goCmd, "build", "-tags=crumb_nohttp,crumb_nojson", "-trimpath", "-ldflags=-s -w", "-o", "gate.wasm", ".")
		env = append(env, "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	}
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stderr, stderr
	fmt.Fprintf(stdout, "%s\n", strings.Join(cmd.Args, " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v", cmd.Args[0], err)
	}
	raw, gz, err := sizes(out)
	if err != nil {
		return err
	}
	verdict := "fits the free plan (3 MB gzip) and paid plans (10 MB gzip)"
	switch {
	case gz > paidLimit:
		verdict = "OVER every plan's limit (10 MB gzip)"
	case gz > freeLimit:
		verdict = "over the free plan's 3 MB gzip; fits paid plans (10 MB gzip)"
	}
	fmt.Fprintf(stdout, "%s: %d B raw (%.2f MB), %d B gzip level 9 (%.2f MB): %s\n", out, raw, float64(raw)/1e6, gz, float64(gz)/1e6, verdict)
	if gz > paidLimit {
		return fmt.Errorf("gate.wasm is %d B gzip, over Cloudflare's 10 MB limit", gz)
	}
	return nil
}

// sizes returns the file's size and its size compressed by
// compress/gzip at level 9.
func sizes(path string) (raw, gz int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var n counter
	zw, _ := gzip.NewWriterLevel(&n, gzip.BestCompression)
	raw, err = io.Copy(zw, f)
	if err != nil {
		return 0, 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, 0, err
	}
	return raw, int64(n), nil
}

type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// readState reads the key = value lines init wrote.
func readState(dir string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, errNotInit)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m, sc.Err()
}
