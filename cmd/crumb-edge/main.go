package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// errUsage marks an error caused by the command line.
var errUsage = errors.New("usage")

const usage = `usage: crumb-edge COMMAND [flags] DIR

Commands:
  init   write a gate project (main.go, go.mod, worker.mjs, crumb-worker.mjs,
         wasm_exec.js, wrangler.toml, .dev.vars) into DIR
  build  compile DIR/gate.wasm and print its raw and gzip sizes against
         Cloudflare's limits (3 MB gzip free plan, 10 MB paid)
  dev    serve DIR in a local workerd on a free loopback port

From nothing to a gate answering locally:

  crumb-edge init -origin http://127.0.0.1:8080 -protect /account/ mygate
  crumb-edge build mygate
  crumb-edge dev mygate

Run 'crumb-edge COMMAND -h' for a command's flags. Exit status: 0 on
success, 1 when the work failed, 2 for bad flags or arguments.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	var err error
	switch args[0] {
	case "init":
		err = runInit(args[1:], stdout, stderr)
	case "build":
		err = runBuild(ctx, args[1:], stdout, stderr)
	case "dev":
		err = runDev(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "crumb-edge: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "crumb-edge %s: %v\n", args[0], err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "crumb-edge %s: %v\n", args[0], err)
	return exitFail
}

// oneDir parses fs and returns its single DIR argument.
func oneDir(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return "", fmt.Errorf("%w: want exactly one DIR, got %d arguments", errUsage, fs.NArg())
	}
	return fs.Arg(0), nil
}
