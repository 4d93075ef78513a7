package kvstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

func newWebdis(t testing.TB, w *servicetest.Webdis, mod func(*kvstore.WebdisConfig)) *kvstore.Webdis {
	t.Helper()
	cfg := kvstore.WebdisConfig{URL: w.URL, Username: w.User, Password: w.Password}
	if mod != nil {
		mod(&cfg)
	}
	s, err := kvstore.NewWebdis(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWebdisSuite runs the shared suite, faults included, on a Redis
// and Webdis of its own: Stop kills Redis behind Webdis.
func TestWebdisSuite(t *testing.T) {
	r := servicetest.StartRedis(t)
	w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{})
	kvstoretest.Run(t, kvstoretest.Harness{
		New:  func(t *testing.T) kvstore.Store { return newWebdis(t, w, nil) },
		Caps: kvstoretest.Caps{BinaryKeys: true, Touch: true, Conditional: true},
		Stop: func(*testing.T) { r.Kill() },
		Start: func(t *testing.T) {
			if err := r.Restart(); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestWebdisQuirks checks, against the real Webdis and Redis, each quirk
// the client works around.
func TestWebdisQuirks(t *testing.T) {
	r, w := sharedWebdis(t)
	ctx := context.Background()
	s := newWebdis(t, w, func(c *kvstore.WebdisConfig) { c.Prefix = "quirk:" })

	t.Run("keys reach Redis byte for byte", func(t *testing.T) {
		// '+' would become a space, '/' would split arguments, a trailing
		// .json/.txt/.raw would become an output format, %2F would decode.
		for _, k := range []string{"a+b", "a/b/c", "x.json", "x.txt", "x.raw", "%2F", "sp ace", "nul\x00", "\xff"} {
			if err := s.Set(ctx, k, []byte("v:"+k), time.Minute); err != nil {
				t.Fatalf("Set(%q): %v", k, err)
			}
			got := redisDo(t, r.Addr, "GET", "quirk:"+k)
			if got != "\x01v:"+k {
				t.Fatalf("Redis holds %q under %q, want format byte + %q", got, "quirk:"+k, "v:"+k)
			}
		}
	})
	t.Run("TTL rounded up to whole seconds", func(t *testing.T) {
		for _, c := range []struct {
			ttl  time.Duration
			want string
		}{{time.Millisecond, "1"}, {1500 * time.Millisecond, "2"}, {time.Minute, "60"}} {
			if err := s.Set(ctx, "ttl", []byte("v"), c.ttl); err != nil {
				t.Fatal(err)
			}
			// TTL can only have gone down, never up, since the write.
			if got := redisDo(t, r.Addr, "TTL", "quirk:ttl").(string); got > c.want || len(got) != len(c.want) && got != "0" {
				t.Fatalf("TTL after Set(%v) = %s, want %s", c.ttl, got, c.want)
			}
		}
		if err := s.Touch(ctx, "ttl", 90*time.Second+time.Nanosecond); err != nil {
			t.Fatal(err)
		}
		if got := redisDo(t, r.Addr, "TTL", "quirk:ttl"); got != "91" && got != "90" {
			t.Fatalf("TTL after Touch(90s+1ns) = %v, want 91", got)
		}
	})
	t.Run("Redis error as HTTP 200", func(t *testing.T) {
		redisDo(t, r.Addr, "DEL", "quirk:list")
		redisDo(t, r.Addr, "LPUSH", "quirk:list", "x")
		_, err := s.Get(ctx, "list")
		if !errors.Is(err, kvstore.ErrProtocol) || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Fatalf("Get on a list: %v, want ErrProtocol naming WRONGTYPE", err)
		}
		var e *kvstore.Error
		if !errors.As(err, &e) || e.Status != http.StatusOK {
			t.Fatalf("error %#v: want the HTTP 200 it arrived with", err)
		}
		// The same quirk on the JSON path: {"SETEX":[false,"OOM ..."]}
		// from a Redis out of memory, which callers see as unavailable.
		redisDo(t, r.Addr, "CONFIG", "SET", "maxmemory", "1")
		err = s.Set(ctx, "oom", []byte("v"), time.Minute)
		redisDo(t, r.Addr, "CONFIG", "SET", "maxmemory", "0")
		if !errors.Is(err, kvstore.ErrUnavailable) || !strings.Contains(err.Error(), "OOM") || !errors.As(err, &e) || e.Status != http.StatusOK {
			t.Fatalf("Set on a full Redis: %v, want ErrUnavailable naming OOM, from an HTTP 200", err)
		}
	})
	t.Run("a value not written by kvstore", func(t *testing.T) {
		redisDo(t, r.Addr, "SET", "quirk:foreign", "plain")
		if _, err := s.Get(ctx, "foreign"); !errors.Is(err, kvstore.ErrProtocol) {
			t.Fatalf("Get of a foreign value: %v, want ErrProtocol", err)
		}
	})
	t.Run("ACL denies everything else", func(t *testing.T) {
		// Webdis matches ACL entries by prefix, so SETEX would enable SET
		// and GETSET would enable GET; the starter disables every such
		// shadow not asked for. Nothing but the store's commands runs.
		for _, path := range []string{"/KEYS/*", "/FLUSHALL", "/INCR/quirk:n", "/CONFIG/GET/*", "/EXPIREAT/quirk:x/1", "/SETRANGE/quirk:x/0/y", "/GETSET/quirk:x/y", "/EVAL/return%201/0", "/PEXPIRE/quirk:x/1"} {
			req, _ := http.NewRequest(http.MethodGet, w.URL+path, nil)
			req.SetBasicAuth(w.User, w.Password)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s with valid credentials: HTTP %d, want 403", path, resp.StatusCode)
			}
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		for _, c := range []struct{ user, pass string }{{w.User, "wrong-password-123"}, {"", ""}, {"nobody", w.Password}} {
			bad := newWebdis(t, w, func(cfg *kvstore.WebdisConfig) { cfg.Username, cfg.Password = c.user, c.pass })
			_, err := bad.Get(ctx, "k")
			if !errors.Is(err, kvstore.ErrUnauthorized) {
				t.Fatalf("Get with user %q: %v, want ErrUnauthorized", c.user, err)
			}
			err2 := bad.Set(ctx, "k", []byte("secret-value"), time.Minute)
			if !errors.Is(err2, kvstore.ErrUnauthorized) {
				t.Fatalf("Set with user %q: %v, want ErrUnauthorized", c.user, err2)
			}
			assertNoSecrets(t, err, c.pass, w.Password, "quirk:k")
			assertNoSecrets(t, err2, c.pass, w.Password, "secret-value", "quirk:k")
		}
	})
}

func TestWebdisValueLimits(t *testing.T) {
	ctx := context.Background()
	r, shw := sharedWebdis(t)
	t.Run("Webdis's own limit answers 413", func(t *testing.T) {
		// A Webdis of its own: Webdis 0.1.9 was seen to segfault shortly
		// after answering 413 to a Go client on this machine, so this one
		// is not used again. (Why MaxValueBytes must stay below
		// http_max_request_size: see docs/kvstore.md.)
		w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{MaxRequestSize: 64 << 10})
		s := newWebdis(t, w, func(c *kvstore.WebdisConfig) { c.Prefix = "limit:" })
		if err := s.Set(ctx, "ok", make([]byte, 32<<10), time.Minute); err != nil {
			t.Fatalf("value under Webdis's limit: %v", err)
		}
		err := s.Set(ctx, "big", bytes.Repeat([]byte("s3cr3t"), 20<<10), time.Minute)
		if !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("value over Webdis's http_max_request_size: %v, want ErrTooLarge", err)
		}
		assertNoSecrets(t, err, "s3cr3t", "limit:big")
	})
	t.Run("client limit refuses before sending", func(t *testing.T) {
		small := newWebdis(t, shw, func(c *kvstore.WebdisConfig) { c.MaxValueBytes = 100; c.Client = failDoer{t} })
		if err := small.Set(ctx, "x", make([]byte, 101), time.Minute); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("value over MaxValueBytes: %v", err)
		}
	})
	t.Run("stored value over the client limit", func(t *testing.T) {
		s := newWebdis(t, shw, func(c *kvstore.WebdisConfig) { c.Prefix = "limit:" })
		if err := s.Set(ctx, "2k", make([]byte, 2000), time.Minute); err != nil {
			t.Fatal(err)
		}
		reader := newWebdis(t, shw, func(c *kvstore.WebdisConfig) { c.MaxValueBytes = 1000; c.Prefix = "limit:" })
		if _, err := reader.Get(ctx, "2k"); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("reading a value over MaxValueBytes: %v", err)
		}
	})
}

// TestWebdisFaults: every failure is a typed error, never a panic, and
// the store recovers when the component comes back.
func TestWebdisFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("Redis killed mid-run", func(t *testing.T) {
		r := servicetest.StartRedis(t)
		w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{})
		s := newWebdis(t, w, nil)
		if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		r.Kill()
		_, err := s.Get(ctx, "k")
		if !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("Get with Redis down: %v, want ErrUnavailable", err)
		}
		var e *kvstore.Error
		if errors.As(err, &e) && e.Status != http.StatusServiceUnavailable {
			t.Fatalf("Get with Redis down: HTTP %d, want Webdis's 503", e.Status)
		}
		for name, err := range map[string]error{
			"set":    s.Set(ctx, "k", []byte("v2"), time.Minute),
			"delete": s.Delete(ctx, "k"),
			"touch":  s.Touch(ctx, "k", time.Minute),
		} {
			if !errors.Is(err, kvstore.ErrUnavailable) {
				t.Fatalf("%s with Redis down: %v, want ErrUnavailable", name, err)
			}
		}
		if err := r.Restart(); err != nil {
			t.Fatal(err)
		}
		// Webdis reconnects on its own; the restarted Redis is empty.
		var lastErr error
		for i := 0; i < 100; i++ {
			if lastErr = s.Set(ctx, "k", []byte("v3"), time.Minute); lastErr == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if lastErr != nil {
			t.Fatalf("store did not recover after Redis restarted: %v", lastErr)
		}
	})
	t.Run("Webdis down", func(t *testing.T) {
		r, _ := sharedWebdis(t)
		w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{})
		s := newWebdis(t, w, nil)
		w.Stop()
		_, err := s.Get(ctx, "k")
		if !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("Get with Webdis down: %v, want ErrUnavailable", err)
		}
		if err := s.Set(ctx, "k", []byte("v"), time.Minute); !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("Set with Webdis down: %v, want ErrUnavailable", err)
		}
	})
	t.Run("Redis slower than the deadline", func(t *testing.T) {
		r := servicetest.StartRedis(t)
		w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{})
		s := newWebdis(t, w, nil)
		if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		// CLIENT PAUSE holds every client's commands in Redis: Webdis
		// waits, and the caller's deadline must end the call.
		redisDo(t, r.Addr, "CLIENT", "PAUSE", "800", "ALL")
		dctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		defer cancel()
		_, err := s.Get(dctx, "k")
		if !errors.Is(err, kvstore.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get past the deadline: %v, want ErrTimeout and DeadlineExceeded", err)
		}
	})
	t.Run("server that never answers", func(t *testing.T) {
		s, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: "http://127.0.0.1:1", Client: hangDoer{}})
		if err != nil {
			t.Fatal(err)
		}
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := s.Set(dctx, "k", []byte("v"), time.Minute); !errors.Is(err, kvstore.ErrTimeout) {
			t.Fatalf("Set: %v, want ErrTimeout", err)
		}
	})
	t.Run("default client timeout", func(t *testing.T) {
		// A listener that accepts and never answers, with no context
		// deadline: the default client's own timeout must end the call.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		client := kvstore.NewClient()
		client.Timeout = 100 * time.Millisecond
		s, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: "http://" + ln.Addr().String(), Client: client, ReadRetries: -1})
		if _, err := s.Get(ctx, "k"); !errors.Is(err, kvstore.ErrTimeout) {
			t.Fatalf("Get from a silent server: %v, want ErrTimeout", err)
		}
	})
	t.Run("garbage answers", func(t *testing.T) {
		cases := []struct {
			name   string
			status int
			body   string
			want   error
		}{
			{"not JSON", 200, "<html>", kvstore.ErrProtocol},
			{"wrong command", 200, `{"GET":"x"}`, kvstore.ErrProtocol},
			{"two commands", 200, `{"SETEX":[true,"OK"],"X":1}`, kvstore.ErrProtocol},
			{"teapot", 418, "", kvstore.ErrProtocol},
			{"redirect", 302, "", kvstore.ErrProtocol},
			{"oom", 200, `{"SETEX":[false,"OOM command not allowed when used memory > 'maxmemory'."]}`, kvstore.ErrUnavailable},
			{"loading", 200, `{"SETEX":[false,"LOADING Redis is loading the dataset in memory"]}`, kvstore.ErrUnavailable},
			{"noauth", 200, `{"SETEX":[false,"NOAUTH Authentication required."]}`, kvstore.ErrUnauthorized},
			{"huge", 200, strings.Repeat("x", 1<<20), kvstore.ErrTooLarge},
			{"bad gateway", 502, "", kvstore.ErrUnavailable},
			{"too many", 429, "", kvstore.ErrUnavailable},
		}
		for _, c := range cases {
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
				if c.status == 302 {
					rw.Header().Set("Location", "http://127.0.0.1:1/")
				}
				rw.WriteHeader(c.status)
				fmt.Fprint(rw, c.body)
			}))
			s, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: srv.URL})
			if err := s.Set(ctx, "k", []byte("v"), time.Minute); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
			srv.Close()
		}
	})
	t.Run("config refuses credentials in the URL", func(t *testing.T) {
		for _, u := range []string{"http://user:pw@127.0.0.1:7379", "ftp://127.0.0.1", "http://", "127.0.0.1:7379", "http://h/?q=1"} {
			_, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: u})
			if err == nil {
				t.Errorf("NewWebdis(%q) accepted", u)
			}
			assertNoSecrets(t, err, "pw")
		}
	})
}
