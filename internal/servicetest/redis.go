package servicetest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// ErrMissing is wrapped by the Launch functions when a component is not
// installed. Start functions turn it into Missing (skip, or fail under
// CRUMB_REQUIRE_SERVICES=1).
var ErrMissing = errors.New("component not installed")

// Fail reports a Launch error on t: a missing component goes through
// Missing, anything else fails the test.
func Fail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrMissing) {
		Missing(t, "%v", err)
	}
	t.Fatalf("servicetest: %v", err)
}

// launch is Start without a testing.TB, for components that a test
// binary shares across tests (started once, stopped from TestMain).
func launch(name, dir, logPath string, env []string, args ...string) (*Process, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = f, f
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &Process{Name: filepath.Base(name), Cmd: cmd, Log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// waitListening waits for addr to accept connections, failing early if
// the process exits first (typically: the port was taken meanwhile).
func waitListening(p *Process, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if p.Exited() {
			return fmt.Errorf("%s exited before listening on %s; log tail:\n%s", p.Name, addr, p.Tail(2000))
		}
		if err := WaitTCP(addr, 100*time.Millisecond); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			p.Stop()
			return fmt.Errorf("%s not listening on %s after %v; log tail:\n%s", p.Name, addr, timeout, p.Tail(2000))
		}
	}
}

// freePort is FreePort without a testing.TB.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Redis is a redis-server started for tests: no persistence, loopback
// only, on a free port. Kill and Restart simulate a crash and recovery
// on the same address, for fault tests.
type Redis struct {
	Addr string // 127.0.0.1:port
	Port int

	bin, dir string
	args     []string // extra redis-server arguments (cluster mode)
	restartable
}

// URL returns redis://host:port, the form Redis clients take.
func (r *Redis) URL() string { return "redis://" + r.Addr }

// LaunchRedis starts redis-server with its files in dir. The caller
// must call Stop. It wraps ErrMissing when redis-server is not installed.
func LaunchRedis(dir string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH (install with: apt-get install -y redis-server): %w", ErrMissing)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a fresh port if one was taken in the meantime
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		r := &Redis{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, bin: bin, dir: dir}
		if lastErr = r.start(); lastErr == nil {
			return r, nil
		}
	}
	return nil, lastErr
}

// StartRedis starts redis-server for the test and stops it when the
// test ends.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	r, err := LaunchRedis(t.TempDir())
	if err != nil {
		Fail(t, err)
	}
	t.Cleanup(r.Stop)
	return r
}

func (r *Redis) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts++
	logPath := filepath.Join(r.dir, fmt.Sprintf("redis-%d.log", r.starts))
	args := append([]string{
		"--port", strconv.Itoa(r.Port),
		"--bind", "127.0.0.1",
		"--protected-mode", "yes",
		"--save", "", // no RDB snapshots: a test store starts empty
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", r.dir,
	}, r.args...)
	p, err := launch(r.bin, r.dir, logPath, nil, args...)
	if err != nil {
		return err
	}
	if err := waitListening(p, r.Addr, 10*time.Second); err != nil {
		return err
	}
	r.proc = p
	return nil
}

// Kill stops Redis abruptly (SIGKILL), as a crash would. Clients see
// refused connections until Restart.
func (r *Redis) Kill() { r.kill() }

// Restart starts Redis again on the same port, empty, after Kill.
func (r *Redis) Restart() error {
	r.Kill()
	return r.start()
}

// Stop kills Redis; it is safe to call more than once.
func (r *Redis) Stop() { r.Kill() }

// Log returns the tail of the current Redis log, for failure messages.
func (r *Redis) Log() string { return r.log() }
