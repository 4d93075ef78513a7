package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// A store pointed at the wrong place must not look like a store with no
// sessions in it: that would log every user out instead of answering
// 503. Only the store's own "no such key" answer is ErrNotFound.
func TestMisconfigurationIsNotALogout(t *testing.T) {
	ctx := context.Background()
	ref := []byte(kvstore.NewSessionID().Encode())

	// check asserts that a Get fails with want and that the Backend's
	// Load over the same store is a failure, not a missing session.
	check := func(t *testing.T, s kvstore.Store, want error) {
		t.Helper()
		if _, err := s.Get(ctx, "k"); !errors.Is(err, want) || (want != kvstore.ErrNotFound && errors.Is(err, kvstore.ErrNotFound)) {
			t.Fatalf("Get: %v, want %v", err, want)
		}
		_, err := kvstore.NewBackend(s, kvstore.BackendOptions{}).Load(ctx, ref)
		if missing := errors.Is(err, cookiestore.ErrMissing); missing != (want == kvstore.ErrNotFound) {
			t.Fatalf("Backend.Load: %v; ErrMissing = %v, want %v", err, missing, want == kvstore.ErrNotFound)
		}
	}
	// server answers every request with status and body.
	server := func(t *testing.T, status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	cfEnvelope := func(code int, msg string) string {
		return fmt.Sprintf(`{"success":false,"errors":[{"code":%d,"message":%q}],"messages":[],"result":null}`, code, msg)
	}

	t.Run("cloudflare", func(t *testing.T) {
		f, srv := newFakeCloudflare(t)
		check(t, newCloudflare(t, f, srv, nil), kvstore.ErrNotFound) // 404, code 10009: the key is missing
		check(t, newCloudflare(t, f, srv, func(c *kvstore.CloudflareConfig) { c.NamespaceID = "wrongnamespace" }), kvstore.ErrConfig)
		check(t, newCloudflare(t, f, srv, func(c *kvstore.CloudflareConfig) { c.AccountID = "wrongaccount" }), kvstore.ErrConfig)
		check(t, newCloudflare(t, f, srv, func(c *kvstore.CloudflareConfig) { c.BaseURL = srv.URL + "/client/v3" }), kvstore.ErrConfig)
		for _, c := range []struct{ name, body string }{
			{"namespace not found", cfEnvelope(10013, "get: namespace not found")},
			{"no route", cfEnvelope(7003, "Could not route to /accounts/x/storage/kv/namespaces, perhaps your object identifier is invalid?")},
			{"not JSON", "404 page not found"},
			{"empty", ""},
			{"10009 among others", `{"success":false,"errors":[{"code":10009,"message":"x"},{"code":7003,"message":"y"}]}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				cf, _ := kvstore.NewCloudflareKV(kvstore.CloudflareConfig{BaseURL: server(t, 404, c.body), AccountID: "a", NamespaceID: "n", Token: "t"})
				check(t, cf, kvstore.ErrConfig)
				// A delete that hits a wrong namespace is a failure too,
				// not the success of deleting a missing key.
				if err := cf.Delete(ctx, "k"); !errors.Is(err, kvstore.ErrConfig) {
					t.Fatalf("Delete: %v, want ErrConfig", err)
				}
			})
		}
	})
	t.Run("webdis", func(t *testing.T) {
		// A real Webdis answers a missing key with 200 and a nil reply
		// (see the conformance test); a 404 comes from something else,
		// such as a proxy in front of it with a wrong base path.
		for _, body := range []string{"404 page not found", ""} {
			w, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: server(t, 404, body)})
			check(t, w, kvstore.ErrConfig)
		}
		_, real := sharedWebdis(t)
		check(t, newWebdis(t, real, nil), kvstore.ErrNotFound)
	})
	t.Run("upstash", func(t *testing.T) {
		u, _ := kvstore.NewUpstash(kvstore.UpstashConfig{URL: server(t, 404, "Not Found"), Token: "t"})
		check(t, u, kvstore.ErrConfig)
	})
	t.Run("key too long for the store", func(t *testing.T) {
		// HTTP 414 from the server, and a prefix that leaves no room:
		// ErrBadKey, but never a missing session.
		w, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: server(t, http.StatusRequestURITooLong, "")})
		check(t, w, kvstore.ErrBadKey)
		b := kvstore.NewBackend(kvstore.NewMemory(kvstore.MemoryConfig{}), kvstore.BackendOptions{Prefix: strings.Repeat("p", 480)})
		_, err := b.Load(ctx, ref)
		if !errors.Is(err, kvstore.ErrBadKey) || errors.Is(err, cookiestore.ErrMissing) {
			t.Fatalf("Load with an over-long prefix: %v, want ErrBadKey and not ErrMissing", err)
		}
	})
	t.Run("through the middleware: 503, not a fresh session", func(t *testing.T) {
		f, srv := newFakeCloudflare(t)
		a := newApp(t, newCloudflare(t, f, srv, nil), nil)
		res := a.do(t, "/set?u=ada", nil)
		if res.status != 200 {
			t.Fatalf("/set: %d", res.status)
		}
		f.mu.Lock()
		f.ns = "a-namespace-the-app-does-not-name" // as if the app were deployed with the wrong ID
		f.mu.Unlock()
		served := a.served.Load()
		res = a.do(t, "/get", res.cookie)
		if res.status != http.StatusServiceUnavailable || a.served.Load() != served {
			t.Fatalf("/get against a wrong namespace: %d %q, want 503 before the handler", res.status, res.body)
		}
		if err := a.lastErr(); !errors.Is(err, cookiestore.ErrBackend) || !errors.Is(err, kvstore.ErrConfig) {
			t.Fatalf("error hook: %v, want ErrBackend and ErrConfig", err)
		}
	})
}

// TestWebdisRepliesAreChecked: each command's answer must have the
// shape Redis gives it; anything else is ErrProtocol, never success.
// The odd replies come from a fake server, since a real Webdis does not
// send them.
func TestWebdisRepliesAreChecked(t *testing.T) {
	ctx := context.Background()
	ops := map[string]func(*kvstore.Webdis) error{
		"Set": func(w *kvstore.Webdis) error { return w.Set(ctx, "k", []byte("v"), time.Minute) },
		"SetIfExists": func(w *kvstore.Webdis) error {
			_, err := w.SetIfExists(ctx, "k", []byte("v"), time.Minute)
			return err
		},
		"SetIfAbsent": func(w *kvstore.Webdis) error {
			_, err := w.SetIfAbsent(ctx, "k", []byte("v"), time.Minute)
			return err
		},
		"Delete": func(w *kvstore.Webdis) error { return w.Delete(ctx, "k") },
		"Touch":  func(w *kvstore.Webdis) error { return w.Touch(ctx, "k", time.Minute) },
		"Get":    func(w *kvstore.Webdis) error { _, err := w.Get(ctx, "k"); return err },
	}
	cases := []struct {
		op, body string
		want     error // nil: success
	}{
		{"Set", `{"SETEX":[true,"OK"]}`, nil},
		{"Set", `{"SETEX":null}`, kvstore.ErrProtocol},
		{"Set", `{"SETEX":"OK"}`, kvstore.ErrProtocol},
		{"Set", `{"SETEX":[true,"QUEUED"]}`, kvstore.ErrProtocol},
		{"Set", `{"SETEX":1}`, kvstore.ErrProtocol},
		{"Set", `{"SETEX":[true]}`, kvstore.ErrProtocol},
		{"Set", `{"SETEX":[false,"ERR wrong number of arguments"]}`, kvstore.ErrProtocol},
		{"SetIfExists", `{"SET":[true,"OK"]}`, nil},
		{"SetIfExists", `{"SET":null}`, nil}, // the condition did not hold
		{"SetIfExists", `{"SET":1}`, kvstore.ErrProtocol},
		{"SetIfExists", `{"SET":"OK"}`, kvstore.ErrProtocol},
		{"SetIfExists", `{"SETEX":[true,"OK"]}`, kvstore.ErrProtocol},
		{"SetIfAbsent", `{"SET":[true,"NOPE"]}`, kvstore.ErrProtocol},
		{"SetIfAbsent", `{"SET":[false,"ERR syntax error"]}`, kvstore.ErrProtocol},
		{"Delete", `{"DEL":1}`, nil},
		{"Delete", `{"DEL":"1"}`, kvstore.ErrProtocol},
		{"Delete", `{"DEL":null}`, kvstore.ErrProtocol},
		{"Delete", `{"DEL":-1}`, kvstore.ErrProtocol},
		{"Touch", `{"EXPIRE":1}`, nil},
		{"Touch", `{"EXPIRE":0}`, kvstore.ErrNotFound},
		{"Touch", `{"EXPIRE":2}`, kvstore.ErrProtocol},
		{"Touch", `{"EXPIRE":null}`, kvstore.ErrProtocol},
		{"Touch", `{"EXPIRE":[true,"OK"]}`, kvstore.ErrProtocol},
		{"Get", "$2\r\n\x01v\r\n", nil},
		{"Get", "$-1\r\n", kvstore.ErrNotFound},
		{"Get", "$5\r\n\x01v\r\n", kvstore.ErrProtocol},
		{"Get", "$2\r\n\x01vxx", kvstore.ErrProtocol},
		{"Get", "$-1\r\ntrailing", kvstore.ErrProtocol},
		{"Get", "$x\r\n\r\n", kvstore.ErrProtocol},
		{"Get", "+OK\r\n", kvstore.ErrProtocol},
		{"Get", "$1\r\nv\r\n", kvstore.ErrProtocol}, // no format byte
		{"Get", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", kvstore.ErrProtocol},
		{"Get", "-LOADING Redis is loading\r\n", kvstore.ErrUnavailable},
		{"Get", `{"GET":null}`, kvstore.ErrProtocol},
		{"Get", "", kvstore.ErrProtocol},
	}
	for _, c := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, c.body) }))
		w, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: srv.URL, ReadRetries: -1})
		err := ops[c.op](w)
		srv.Close()
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s answered %q: %v, want %v", c.op, c.body, err, c.want)
		}
	}
}
