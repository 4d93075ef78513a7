package servicetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// DynaliteJS is dynalite's command-line entry point inside node_modules.
const DynaliteJS = "dynalite/cli.js"

// Dynalite is dynalite (npm; a DynamoDB implementation on LevelDB)
// started for tests on a free loopback port. Its data lives in a LevelDB
// directory of its own, so Kill and Restart simulate a crash and a
// recovery on the same address with the tables and items kept.
//
// Clients need an endpoint override (URL), any region and any static
// credentials: dynalite checks that requests are signed, not by whom.
// It has no UpdateTimeToLive: items are never deleted by TTL, which is
// what stores that check expiry on every read must cope with anyway.
type Dynalite struct {
	URL  string // http://127.0.0.1:port, no trailing slash
	Addr string // 127.0.0.1:port

	node, js, dir string
	port          int
	restartable
}

// LaunchDynalite starts dynalite from nodeModules with its data and log
// in dir. The caller must call Stop. It wraps ErrMissing when node or
// the package is missing.
func LaunchDynalite(dir, nodeModules string) (*Dynalite, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH (install with: apt-get install -y nodejs): %w", ErrMissing)
	}
	js := filepath.Join(nodeModules, DynaliteJS)
	if _, err := os.Stat(js); err != nil {
		return nil, fmt.Errorf("npm component %s not found under %s (run `npm install` at the module root): %w", DynaliteJS, nodeModules, ErrMissing)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a fresh port if one was taken in the meantime
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		d := &Dynalite{node: node, js: js, dir: dir, port: port, Addr: "127.0.0.1:" + strconv.Itoa(port)}
		d.URL = "http://" + d.Addr
		if lastErr = d.start(); lastErr == nil {
			return d, nil
		}
	}
	return nil, lastErr
}

// StartDynalite starts dynalite for the test and stops it when the test
// ends. A missing node or dynalite skips the test, or fails it under
// CRUMB_REQUIRE_SERVICES=1.
func StartDynalite(t testing.TB) *Dynalite {
	t.Helper()
	d, err := LaunchDynalite(t.TempDir(), NodeModules(t))
	if err != nil {
		Fail(t, err)
	}
	t.Cleanup(d.Stop)
	return d
}

func (d *Dynalite) start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.starts++
	p, err := launch(d.node, d.dir, filepath.Join(d.dir, fmt.Sprintf("dynalite-%d.log", d.starts)), nil, d.js,
		"--host", "127.0.0.1",
		"--port", strconv.Itoa(d.port),
		"--path", filepath.Join(d.dir, "leveldb"),
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
	)
	if err != nil {
		return err
	}
	if err := waitListening(p, d.Addr, 20*time.Second); err != nil {
		return err
	}
	d.proc = p
	return nil
}

// Kill stops dynalite abruptly (SIGKILL), as a crash would. Clients see
// refused connections until Restart.
func (d *Dynalite) Kill() { d.kill() }

// Restart starts dynalite again on the same port after Kill, with the
// tables and items it had.
func (d *Dynalite) Restart() error {
	d.Kill()
	return d.start()
}

// Stop kills dynalite; it is safe to call more than once.
func (d *Dynalite) Stop() { d.Kill() }

// Log returns the tail of dynalite's current log, for failure messages.
func (d *Dynalite) Log() string { return d.log() }
