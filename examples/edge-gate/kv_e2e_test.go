package main_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
)

// kvEntry serves the KV gate, and under /__kv/ the test module kvecho,
// which exposes the same KV namespace to the origin (a Go server
// outside the worker, as an origin reaching KV through Cloudflare's
// REST API would be).
const kvEntry = `import { crumbWorker } from "./crumb-worker.mjs";
import gate from "./gate.wasm";
import kv from "./kvecho.wasm";
const g = crumbWorker(gate), k = crumbWorker(kv);
export default {
  fetch(req, env, ctx) {
    const u = new URL(req.url);
    if (!u.pathname.startsWith("/__kv/")) return g.fetch(req, env, ctx);
    return k.fetch(new Request(u.origin + u.pathname.slice(5) + u.search, req), env, ctx);
  },
};
`

// kvThroughWorker is the origin's kvstore.Store: each call goes to
// kvecho in the worker, which runs it on the KV binding.
type kvThroughWorker struct{ base string }

func (r kvThroughWorker) call(ctx context.Context, op, key string, body []byte, ttl time.Duration) ([]byte, error) {
	u := r.base + "/__kv/" + op + "?b=SESSIONS&k=" + url.QueryEscape(key) + "&ttl=" + strconv.FormatFloat(ttl.Seconds(), 'f', -1, 64)
	method := "POST"
	if op == "get" {
		method = "GET"
	}
	req, _ := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, kvstore.NewError("worker", op, kvstore.ErrUnavailable, "", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case 200, 204:
		return b, nil
	case 404:
		return nil, kvstore.NewError("worker", op, kvstore.ErrNotFound, "", nil)
	case 501:
		return nil, kvstore.NewError("worker", op, errors.ErrUnsupported, "", nil)
	}
	return nil, kvstore.NewError("worker", op, kvstore.ErrUnavailable, string(b), nil)
}

func (r kvThroughWorker) Get(ctx context.Context, key string) ([]byte, error) {
	return r.call(ctx, "get", key, nil, 0)
}
func (r kvThroughWorker) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	_, err := r.call(ctx, "set", key, v, ttl)
	return err
}
func (r kvThroughWorker) Delete(ctx context.Context, key string) error {
	_, err := r.call(ctx, "del", key, nil, 0)
	return err
}

// TestKVGate serves examples/edge-gate/kvgate under miniflare with a
// real KV namespace, in front of examples/login keeping its records in
// the same namespace: login at the origin, the gate loading the record
// through the binding, logout deleting it, and the old cookie refused.
// The origin also keeps its revocation list there, and the gate reads
// it (REVOCATION_KV_BINDING): after "log out everywhere" in one
// browser, the session of another, whose record is still in KV, no
// longer passes the gate.
func TestKVGate(t *testing.T) {
	execJS, err := servicetest.WasmExecJS()
	if err != nil {
		servicetest.Fail(t, err)
	}
	root := servicetest.ModuleRoot(t)
	entry := filepath.Join(t.TempDir(), "worker.mjs")
	if err := os.WriteFile(entry, []byte(kvEntry), 0o600); err != nil {
		t.Fatal(err)
	}
	ring := must(keys.GenerateRing(nil))
	// The origin's address is known only once it runs, and the origin
	// needs the worker's: start the worker first, pointed at a
	// listener the origin then serves on.
	o := startOriginLater(t)
	mf := servicetest.StartMiniflare(t, servicetest.MiniflareConfig{
		Modules: []servicetest.WorkerdModule{
			{Name: "worker.mjs", Path: entry},
			{Name: "crumb-worker.mjs", Path: filepath.Join(root, "wasm", "worker", "crumb-worker.mjs")},
			{Name: "wasm_exec.js", Path: execJS},
			{Name: "gate.wasm", Path: buildGate(t, "kvgate.wasm", "./examples/edge-gate/kvgate")},
			{Name: "kvecho.wasm", Path: buildVariant(t, "kvecho.wasm", "./wasm/internal/kvecho", "", true)},
		},
		KVNamespaces: []string{"SESSIONS"},
		Bindings: map[string]string{
			"SESSION_KEYS": ring.Export(), "SESSION_INSECURE": "1", "PROTECTED_PATHS": "/private/",
			"LOGIN_PATH": "/", "ORIGIN_URL": o.url,
			// Every check reads the list, so the refusal below is
			// immediate; the staleness bound is kvstore's to test.
			"REVOCATION_KV_BINDING": "SESSIONS", "REVOCATION_MAX_STALE": "0",
		},
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("miniflare log:\n%s", mf.Log())
		}
	})
	backend := kvstore.NewBackend(kvThroughWorker{base: mf.URL}, kvstore.BackendOptions{})
	o.start(t, loginapp.Config{
		Sealer: encrypted.New(ring), InsecureHTTP: true, Backend: backend,
		Options:     &cookiestore.Options[loginapp.Account]{IdleTimeout: time.Hour},
		Revocations: kvstore.NewRevocations(kvThroughWorker{base: mf.URL}, kvstore.RevocationOptions{}),
	})

	ctx := servicetest.Context(t, 2*time.Minute)
	newClient := func() *client {
		jar, _ := cookiejar.New(nil)
		return &client{t: t, ctx: ctx, base: mf.URL, http: &http.Client{
			Jar: jar, Timeout: 20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	}
	c := newClient()
	if r := c.do("GET", "/private/whoami", nil, nil); r.status != 303 {
		t.Fatalf("anonymous: %d %q", r.status, r.body)
	}
	if r := c.do("POST", "/login", url.Values{"email": {"alice@example.com"}, "password": {"correct"}}, nil); r.status != 303 || c.sessionCookie() == nil {
		t.Fatalf("login: %d %q", r.status, r.body)
	}
	r := c.do("GET", "/private/whoami", nil, http.Header{"X-Crumb-User": {"mallory"}})
	if r.status != 200 || !strings.Contains(r.body, `users=["alice@example.com"]`) {
		t.Fatalf("authenticated through the KV gate: %d %q", r.status, r.body)
	}
	old := c.sessionCookie().Value
	if r := c.do("POST", "/logout", nil, nil); r.status != 303 {
		t.Fatalf("logout: %d", r.status)
	}
	// The record is gone from KV: the old cookie, still well sealed,
	// opens nothing at the edge.
	c.setSession(old)
	if r := c.do("GET", "/private/whoami", nil, nil); r.status != 303 {
		t.Fatalf("the cookie of a logged-out session: %d %q, want the login redirect", r.status, r.body)
	}

	// Two browsers of one user; "log out everywhere" in the first.
	// The second's record is still in KV, but the user's revocation
	// marker refuses its session at the edge.
	first, second := newClient(), newClient()
	for _, b := range []*client{first, second} {
		if r := b.do("POST", "/login", url.Values{"email": {"bob@example.com"}, "password": {"correct"}}, nil); r.status != 303 || b.sessionCookie() == nil {
			t.Fatalf("login: %d %q", r.status, r.body)
		}
		if r := b.do("GET", "/private/whoami", nil, nil); r.status != 200 {
			t.Fatalf("a live session through the KV gate: %d %q", r.status, r.body)
		}
	}
	if r := first.do("POST", "/logout-everywhere", nil, nil); r.status != 303 {
		t.Fatalf("log out everywhere: %d %q", r.status, r.body)
	}
	if r := second.do("GET", "/private/whoami", nil, nil); r.status != 303 {
		t.Fatalf("a session of a user logged out everywhere: %d %q, want the login redirect (the gate does not check the revocation list)", r.status, r.body)
	}
}

// lateOrigin listens at once and serves startOrigin's handler once
// start is called, so the worker can be given the origin's URL before
// the origin (which needs the worker's) exists.
type lateOrigin struct {
	url string
	h   atomic.Pointer[http.Handler]
}

func startOriginLater(t *testing.T) *lateOrigin {
	lo := &lateOrigin{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := lo.h.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "origin not started", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	lo.url = srv.URL
	return lo
}

func (lo *lateOrigin) start(t *testing.T, cfg loginapp.Config) {
	h := startOrigin(t, cfg).Server.Config.Handler
	lo.h.Store(&h)
}
