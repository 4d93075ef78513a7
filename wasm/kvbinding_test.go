package wasm_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// kvEntry wraps the shim so that the worker also has a binding that
// fails every call the way an unreachable KV does (a rejected Promise),
// next to miniflare's real namespace.
const kvEntry = `import { crumbWorker } from "./crumb-worker.mjs";
import mod from "./app.wasm";
const inner = crumbWorker(mod);
const fail = () => Promise.reject(new Error("KV GET failed: 503 Service Unavailable"));
const DOWN = { get: fail, put: fail, delete: fail };
export default { fetch: (req, env, ctx) => inner.fetch(req, { ...env, DOWN }, ctx) };
`

// remoteKV is a kvstore.Store that runs each operation inside the
// worker, through kvbinding on the binding named b, and maps the
// answer's status back to kvstore's sentinels.
type remoteKV struct {
	base, binding string
	c             *http.Client
}

func (r remoteKV) call(ctx context.Context, op, key string, body []byte, extra string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, kvstore.NewError("remote", op, kvstore.ErrTimeout, "", err)
	}
	u := r.base + "/" + op + "?b=" + r.binding + "&k=" + url.QueryEscape(key) + extra
	req, _ := http.NewRequestWithContext(ctx, "POST", u, bytes.NewReader(body))
	if op == "get" {
		req.Method = "GET"
		req.Body = nil
	}
	resp, err := r.c.Do(req)
	if err != nil {
		return nil, &kvstore.Error{Store: "remote", Op: op, Kind: kvstore.ErrUnavailable, Detail: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	kind := map[int]error{501: errors.ErrUnsupported, 404: kvstore.ErrNotFound, 400: kvstore.ErrBadKey, 422: kvstore.ErrBadTTL, 413: kvstore.ErrTooLarge,
		503: kvstore.ErrUnavailable, 504: kvstore.ErrTimeout}[resp.StatusCode]
	switch {
	case resp.StatusCode/100 == 2:
		return b, nil
	case kind != nil:
		return nil, &kvstore.Error{Store: "remote", Op: op, Kind: kind, Detail: string(b)}
	}
	return nil, errors.New("worker answered " + strconv.Itoa(resp.StatusCode) + ": " + string(b))
}

func (r remoteKV) Get(ctx context.Context, key string) ([]byte, error) {
	return r.call(ctx, "get", key, nil, "")
}

func (r remoteKV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := r.call(ctx, "set", key, value, "&ttl="+strconv.FormatFloat(ttl.Seconds(), 'f', -1, 64))
	return err
}

func (r remoteKV) Touch(ctx context.Context, key string, ttl time.Duration) error {
	_, err := r.call(ctx, "touch", key, nil, "")
	return err
}

func (r remoteKV) SetIfExists(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	b, err := r.call(ctx, "setifexists", key, value, "&ttl="+strconv.FormatFloat(ttl.Seconds(), 'f', -1, 64))
	return string(b) == "true", err
}

func (r remoteKV) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	b, err := r.call(ctx, "setifabsent", key, value, "&ttl="+strconv.FormatFloat(ttl.Seconds(), 'f', -1, 64))
	return string(b) == "true", err
}

func (r remoteKV) Delete(ctx context.Context, key string) error {
	_, err := r.call(ctx, "del", key, nil, "")
	return err
}

// TestKVBinding runs package kvbinding inside workerd, under miniflare,
// against miniflare's KV namespace (persisted to disk, with KV's
// expiration and limits), and against a binding that is down.
func TestKVBinding(t *testing.T) {
	path := build(t, "kvecho.wasm", "js", "./wasm/internal/kvecho")
	mods := workerModules(t, path)
	entry := filepath.Join(t.TempDir(), "worker.mjs")
	if err := os.WriteFile(entry, []byte(kvEntry), 0o600); err != nil {
		t.Fatal(err)
	}
	mods[0].Path = entry
	persist := filepath.Join(t.TempDir(), "kv")
	mf := servicetest.StartMiniflare(t, servicetest.MiniflareConfig{Modules: mods, KVNamespaces: []string{"SESSIONS"}, KVPersist: persist})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("miniflare log:\n%s", mf.Log())
		}
	})
	ctx := servicetest.Context(t, 2*time.Minute)
	c := &http.Client{Timeout: 20 * time.Second}
	kv := remoteKV{base: mf.URL, binding: "SESSIONS", c: c}

	t.Run("store semantics", func(t *testing.T) {
		binary := make([]byte, 300)
		for i := range binary {
			binary[i] = byte(i)
		}
		if err := kv.Set(ctx, "k1", binary, 90*time.Second); err != nil {
			t.Fatal(err)
		}
		got, err := kv.Get(ctx, "k1")
		if err != nil || !bytes.Equal(got, binary) {
			t.Fatalf("get after set: %v, %d bytes", err, len(got))
		}
		// A TTL under KV's 60 s minimum is raised, not refused.
		if err := kv.Set(ctx, "short", []byte("x"), time.Second); err != nil {
			t.Fatalf("set with a 1 s TTL: %v", err)
		}
		if err := kv.Delete(ctx, "k1"); err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Get(ctx, "k1"); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("get after delete: %v, want ErrNotFound", err)
		}
		if err := kv.Delete(ctx, "never-set"); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		for _, key := range []string{"", ".", "..", strings.Repeat("k", kvstore.MaxKeyLen+1)} {
			if _, err := kv.Get(ctx, key); !errors.Is(err, kvstore.ErrBadKey) {
				t.Errorf("get %q: %v, want ErrBadKey", key, err)
			}
		}
		if err := kv.Set(ctx, "k", []byte("x"), 0); !errors.Is(err, kvstore.ErrBadTTL) {
			t.Errorf("set with TTL 0: %v, want ErrBadTTL", err)
		}
		if err := kv.Set(ctx, "big", make([]byte, 25<<20+1), time.Hour); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Errorf("set over 25 MiB: %v, want ErrTooLarge", err)
		}
		if _, err := kv.call(ctx, "get", "k", nil, "&expired=1"); !errors.Is(err, kvstore.ErrTimeout) {
			t.Errorf("get with an ended context: %v, want ErrTimeout wrapping the context's error", err)
		}
		if _, err := (remoteKV{base: mf.URL, binding: "NOPE", c: c}).Get(ctx, "k"); err == nil || !strings.Contains(err.Error(), "424") {
			t.Errorf("a missing binding: %v, want kvbinding.ErrNoBinding", err)
		}
	})

	t.Run("down", func(t *testing.T) {
		down := remoteKV{base: mf.URL, binding: "DOWN", c: c}
		if _, err := down.Get(ctx, "k"); !errors.Is(err, kvstore.ErrUnavailable) {
			t.Errorf("get: %v, want ErrUnavailable", err)
		}
		if err := down.Set(ctx, "k", []byte("v"), time.Hour); !errors.Is(err, kvstore.ErrUnavailable) {
			t.Errorf("set: %v, want ErrUnavailable (never a success for an unsaved write)", err)
		}
		if err := down.Delete(ctx, "k"); !errors.Is(err, kvstore.ErrUnavailable) {
			t.Errorf("delete: %v, want ErrUnavailable", err)
		}
		// Through a Backend: the failure is not a missing session.
		b := kvstore.NewBackend(down, kvstore.BackendOptions{})
		id := kvstore.NewSessionID()
		if _, err := b.Load(ctx, []byte(id.Encode())); err == nil || errors.Is(err, kvstore.ErrNotFound) {
			t.Errorf("Backend.Load on a store that is down: %v, want a failure (503), not a missing session", err)
		}
	})

	t.Run("sessions and revocation", func(t *testing.T) {
		// kvstore's Sessions over the binding: a deleted session stays
		// deleted (its tombstone), as on the other stores.
		s := kvstore.NewSessions(kv)
		id := kvstore.NewSessionID()
		if err := s.Save(ctx, id, []byte(`{"email":"alice@example.com"}`), time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, id, []byte(`{"email":"alice@example.com"}`), time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("save after delete: %v, want ErrNotFound (revoked)", err)
		}
		if err := s.Refresh(ctx, id, []byte(`{}`), time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("refresh after delete: %v, want ErrNotFound (revoked)", err)
		}
	})

	// kvstore's shared suite (Conformance and Sessions; its fault tests
	// need a backend that can be stopped and started under the same
	// address, which the "down" binding above stands in for).
	t.Run("kvstoretest", func(t *testing.T) {
		kvstoretest.Run(t, kvstoretest.Harness{
			New:  func(*testing.T) kvstore.Store { return kv },
			Caps: kvstoretest.Caps{},
		})
	})

	t.Run("persisted", func(t *testing.T) {
		if err := kv.Set(ctx, "persisted", []byte("v"), time.Hour); err != nil {
			t.Fatal(err)
		}
		// A second miniflare over the same directory sees the write.
		mf2 := servicetest.StartMiniflare(t, servicetest.MiniflareConfig{Modules: mods, KVNamespaces: []string{"SESSIONS"}, KVPersist: persist})
		if v, err := (remoteKV{base: mf2.URL, binding: "SESSIONS", c: c}).Get(ctx, "persisted"); err != nil || string(v) != "v" {
			t.Fatalf("read from a second instance: %q %v", v, err)
		}
	})
}
