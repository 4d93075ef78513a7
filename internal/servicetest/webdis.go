package servicetest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// WebdisConfig is what a test may choose about the Webdis it starts.
// The zero value gives a Webdis that allows exactly the commands a
// session store needs (GET SET SETEX DEL EXPIRE PING) to one Basic-auth
// user.
type WebdisConfig struct {
	// User and Password for http_basic_auth; "crumb" and a fixed test
	// password when empty.
	User, Password string
	// Commands allowed to the authenticated user; everything else is
	// denied to everyone.
	Commands []string
	// MaxRequestSize is http_max_request_size in bytes (Webdis answers
	// 413 above it); Webdis's own default (128 MiB) when zero.
	MaxRequestSize int
	// Threads and PoolSize are Webdis's worker threads and Redis
	// connections per thread; 2 and 8 when zero.
	Threads, PoolSize int
}

// DefaultWebdisCommands are the Redis commands kvstore's Webdis client
// sends. SET is there for its conditional writes (SET ... XX|NX EX),
// which keep a deleted session deleted; Webdis's ACL cannot restrict a
// command's arguments. MGET reads a revocation check's markers in one
// request; ZADD, ZRANGE and ZREM keep the per-user session index.
var DefaultWebdisCommands = []string{"GET", "SET", "SETEX", "DEL", "EXPIRE", "PING", "MGET", "ZADD", "ZRANGE", "ZREM"}

// prefixCommands are real Redis commands that are a proper prefix of
// another command. Webdis 0.1.9 compares an ACL entry with the request's
// command over the length of the request's command only, so enabling
// SETEX also enables SET (and GETSET would enable GET): every such
// shorter command is disabled explicitly unless it was asked for.
var prefixCommands = []string{"SET", "GET", "EXPIRE", "INCR", "DECR", "HSET", "HGET", "LPUSH", "RPUSH", "ZADD", "PEXPIRE", "BITFIELD", "SCRIPT", "SUBSCRIBE", "TYPE", "MSET"}

// Webdis is a webdis process started for tests, in the foreground
// (daemonize false), with a generated config and its own log file.
type Webdis struct {
	URL            string // http://127.0.0.1:port, no trailing slash
	Addr           string
	User, Password string
	ConfigPath     string
	LogPath        string // Webdis's own logfile (requests, at verbosity 4)

	proc *Process
}

// WebdisACL returns the ACL list for cfg: deny everything to everyone,
// then allow cfg.Commands (minus prefix shadows) to the Basic-auth user.
func WebdisACL(cfg WebdisConfig) []map[string]any {
	cmds := cfg.Commands
	if len(cmds) == 0 {
		cmds = DefaultWebdisCommands
	}
	var shadows []string
	for _, c := range cmds {
		for _, p := range prefixCommands {
			if p != c && strings.HasPrefix(strings.ToUpper(c), p) && !slices.Contains(cmds, p) && !slices.Contains(shadows, p) {
				shadows = append(shadows, p)
			}
		}
	}
	user := map[string]any{
		"http_basic_auth": cfg.User + ":" + cfg.Password,
		"enabled":         cmds,
	}
	if len(shadows) > 0 {
		user["disabled"] = shadows
	}
	return []map[string]any{{"disabled": []string{"*"}}, user}
}

// LaunchWebdis starts webdis in front of the Redis at redisAddr, with
// its config and logs in dir. The caller must call Stop. It wraps
// ErrMissing when webdis is not installed.
func LaunchWebdis(dir, redisAddr string, cfg WebdisConfig) (*Webdis, error) {
	bin, err := exec.LookPath("webdis")
	if err != nil {
		return nil, fmt.Errorf("webdis not found on PATH (install with: apt-get install -y webdis): %w", ErrMissing)
	}
	if cfg.User == "" {
		cfg.User = "crumb"
	}
	if cfg.Password == "" {
		cfg.Password = "test-password-not-a-secret"
	}
	if cfg.Threads == 0 {
		cfg.Threads = 2
	}
	if cfg.PoolSize == 0 {
		cfg.PoolSize = 8
	}
	rhost, rport, ok := strings.Cut(redisAddr, ":")
	if !ok {
		return nil, fmt.Errorf("webdis: redis address %q is not host:port", redisAddr)
	}
	redisPort, err := strconv.Atoi(rport)
	if err != nil {
		return nil, fmt.Errorf("webdis: redis port %q: %w", rport, err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		w := &Webdis{
			Addr:       "127.0.0.1:" + strconv.Itoa(port),
			User:       cfg.User,
			Password:   cfg.Password,
			ConfigPath: filepath.Join(dir, fmt.Sprintf("webdis-%d.json", port)),
			LogPath:    filepath.Join(dir, fmt.Sprintf("webdis-%d.log", port)),
		}
		w.URL = "http://" + w.Addr
		conf := map[string]any{
			"redis_host":   rhost,
			"redis_port":   redisPort,
			"redis_auth":   nil,
			"http_host":    "127.0.0.1",
			"http_port":    port,
			"threads":      cfg.Threads,
			"pool_size":    cfg.PoolSize,
			"daemonize":    false,
			"database":     0,
			"acl":          WebdisACL(cfg),
			"verbosity":    3,
			"logfile":      w.LogPath,
			"websockets":   false,
			"default_root": nil,
		}
		if cfg.MaxRequestSize > 0 {
			conf["http_max_request_size"] = cfg.MaxRequestSize
		}
		b, err := json.MarshalIndent(conf, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(w.ConfigPath, b, 0o600); err != nil {
			return nil, err
		}
		p, err := launch(bin, dir, filepath.Join(dir, fmt.Sprintf("webdis-%d.out", port)), nil, w.ConfigPath)
		if err != nil {
			return nil, err
		}
		if lastErr = waitListening(p, w.Addr, 10*time.Second); lastErr == nil {
			w.proc = p
			return w, nil
		}
	}
	return nil, lastErr
}

// StartWebdis starts webdis for the test in front of redisAddr and stops
// it when the test ends.
func StartWebdis(t testing.TB, redisAddr string, cfg WebdisConfig) *Webdis {
	t.Helper()
	w, err := LaunchWebdis(t.TempDir(), redisAddr, cfg)
	if err != nil {
		Fail(t, err)
	}
	t.Cleanup(w.Stop)
	return w
}

// Stop kills webdis; it is safe to call more than once.
func (w *Webdis) Stop() {
	if w.proc != nil {
		w.proc.Stop()
	}
}

// Log returns the tail of Webdis's log file, for failure messages.
func (w *Webdis) Log() string {
	b, _ := os.ReadFile(w.LogPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
