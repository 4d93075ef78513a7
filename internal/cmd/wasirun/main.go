// Command wasirun runs a WASI (wasip1) command module with wazero, the
// way `tinygo test -target=wasip1` needs a runner: crumb's test command
// compiles each package's tests with `tinygo test -c` and runs the
// result here, so no wasmtime install is needed.
//
// Usage:
//
//	wasirun [-dir HOST[:GUEST]]... [-env NAME=VALUE]... MODULE.wasm [ARG]...
//
// The module gets the real wall clock, monotonic clock, sleep and
// crypto/rand randomness (wazero's defaults are a fixed clock and
// seeded randomness), the process's stdin, stdout and stderr, the
// arguments after the module, and only the directories and variables
// named by flags. -dir mounts the host directory HOST read-write at
// GUEST (default: the same path); a GUEST of "." or "../.." makes
// relative paths in the guest resolve there, as wasmtime's --dir does.
// wasirun exits with the module's exit code.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var dirs, envs list
	flag.Var(&dirs, "dir", "mount a host directory: HOST or HOST:GUEST (repeatable)")
	flag.Var(&envs, "env", "set a guest environment variable: NAME=VALUE (repeatable)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: wasirun [-dir HOST[:GUEST]]... [-env NAME=VALUE]... MODULE.wasm [ARG]...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	code, err := run(context.Background(), flag.Arg(0), flag.Args()[1:], dirs, envs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasirun:", err)
		os.Exit(1)
	}
	os.Exit(int(code))
}

func run(ctx context.Context, path string, args, dirs, envs []string) (uint32, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)

	fs := wazero.NewFSConfig()
	for _, d := range dirs {
		host, guest, ok := strings.Cut(d, ":")
		if !ok {
			guest = host
		}
		fs = fs.WithDirMount(host, guest)
	}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithArgs(append([]string{path}, args...)...).
		WithStdin(os.Stdin).WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithFSConfig(fs)
	for _, e := range envs {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			return 0, fmt.Errorf("-env %q: want NAME=VALUE", e)
		}
		cfg = cfg.WithEnv(k, v)
	}
	mod, err := rt.InstantiateWithConfig(ctx, bin, cfg)
	if mod != nil {
		mod.Close(ctx)
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}
