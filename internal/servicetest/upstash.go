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

// UpstashServerJS is the Upstash-compatible REST server's entry point
// inside node_modules.
const UpstashServerJS = "@humanwhocodes/upstash-redis-server/dist/server.js"

// loopbackPreload makes the server listen on 127.0.0.1 only. dist/server.js
// calls @hono/node-server's serve() without a hostname, which listens on
// every interface; the preload fills in the host when none is given, and
// leaves server.js itself untouched.
const loopbackPreload = `import net from "node:net";
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args[1] === undefined || typeof args[1] === "function")) {
    args.splice(1, args[1] === undefined ? 1 : 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
`

// Upstash is @humanwhocodes/upstash-redis-server (an Upstash Redis REST
// emulator) started for tests in front of a local Redis. It speaks the
// JSON command-array form (POST / and POST /pipeline) with a bearer token.
// Unlike Upstash, it answers Redis errors with HTTP 500, not 400.
type Upstash struct {
	URL   string // http://127.0.0.1:port, no trailing slash
	Addr  string
	Token string

	proc *Process
}

// LaunchUpstash starts the server from nodeModules in front of the Redis
// at redisURL (redis://host:port), with its log in dir. The caller must
// call Stop. It wraps ErrMissing when node or the package is missing.
func LaunchUpstash(dir, nodeModules, redisURL string) (*Upstash, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH (install with: apt-get install -y nodejs): %w", ErrMissing)
	}
	server := filepath.Join(nodeModules, UpstashServerJS)
	if _, err := os.Stat(server); err != nil {
		return nil, fmt.Errorf("npm component %s not found under %s (run `npm install` at the module root): %w", UpstashServerJS, nodeModules, ErrMissing)
	}
	preload := filepath.Join(dir, "loopback-preload.mjs")
	if err := os.WriteFile(preload, []byte(loopbackPreload), 0o600); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		u := &Upstash{
			Addr:  "127.0.0.1:" + strconv.Itoa(port),
			Token: "upstash-test-token-" + strconv.Itoa(port),
		}
		u.URL = "http://" + u.Addr
		env := []string{
			"URS_TOKEN=" + u.Token,
			"PORT=" + strconv.Itoa(port),
			"REDIS_URL=" + redisURL,
		}
		p, err := launch(node, filepath.Dir(server), filepath.Join(dir, fmt.Sprintf("upstash-%d.log", port)), env,
			"--import", "file://"+preload, server)
		if err != nil {
			return nil, err
		}
		if lastErr = waitListening(p, u.Addr, 20*time.Second); lastErr == nil {
			u.proc = p
			return u, nil
		}
	}
	return nil, lastErr
}

// StartUpstash starts the Upstash REST server for the test in front of
// the Redis at redisAddr (host:port) and stops it when the test ends.
func StartUpstash(t testing.TB, redisAddr string) *Upstash {
	t.Helper()
	u, err := LaunchUpstash(t.TempDir(), NodeModules(t), "redis://"+redisAddr)
	if err != nil {
		Fail(t, err)
	}
	t.Cleanup(u.Stop)
	return u
}

// Stop kills the server; it is safe to call more than once.
func (u *Upstash) Stop() {
	if u.proc != nil {
		u.proc.Stop()
	}
}

// Log returns the tail of the server's output, for failure messages.
func (u *Upstash) Log() string {
	if u.proc == nil {
		return ""
	}
	return u.proc.Tail(2000)
}
