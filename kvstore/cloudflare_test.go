package kvstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// fakeCloudflare follows Cloudflare's documented Workers KV REST API for
// the three calls kvstore makes:
//
//   - Write: https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/values/methods/update/
//     PUT /accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}
//     ?expiration_ttl=<seconds>; the body is the value (multipart only when
//     metadata is sent); "Use URL-encoding to use special characters".
//   - Read: https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/values/methods/get/
//     GET .../values/{key_name} returns the value itself, not JSON.
//   - Delete: https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/values/methods/delete/
//     DELETE .../values/{key_name}.
//
// Authentication is "Authorization: Bearer <API token>". Failures use the
// common envelope {"success":false,"errors":[{"code":..,"message":..}],
// "messages":[],"result":null}. Limits from
// https://developers.cloudflare.com/kv/platform/limits/ : keys up to 512
// bytes, values up to 25 MiB, expiration_ttl at least 60 seconds.
type fakeCloudflare struct {
	t        testing.TB
	account  string
	ns       string
	token    string
	maxValue int

	mu       sync.Mutex
	data     map[string][]byte
	ttls     map[string]int64
	requests map[string]int // by method
	status   int            // when set, every request fails with it
}

func newFakeCloudflare(t testing.TB) (*fakeCloudflare, *httptest.Server) {
	f := &fakeCloudflare{t: t, account: "023e105f4ecef8ad9ca31a8372d0c353", ns: "0f2ac74b498b48028cb68387c421e279",
		token: "cf-test-token-Sn3lZJTBX6kkg7Od", maxValue: kvstore.CloudflareMaxValue,
		data: map[string][]byte{}, ttls: map[string]int64{}, requests: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeCloudflare) fail(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"success": false, "errors": []map[string]any{{"code": code, "message": msg}},
		"messages": []any{}, "result": nil,
	})
}

func (f *fakeCloudflare) ok(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":{}}`)
}

func (f *fakeCloudflare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[r.Method]++
	if f.status != 0 {
		f.fail(w, f.status, 10001, "service temporarily unavailable")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		f.fail(w, http.StatusForbidden, 10000, "Authentication error")
		return
	}
	prefix := "/client/v4/accounts/" + f.account + "/storage/kv/namespaces/" + f.ns + "/values/"
	esc := r.URL.EscapedPath()
	if !strings.HasPrefix(esc, prefix) || strings.Contains(esc[len(prefix):], "/") {
		f.fail(w, http.StatusNotFound, 7003, "No route for the URI")
		return
	}
	key, err := url.PathUnescape(esc[len(prefix):])
	if err != nil || key == "" {
		f.fail(w, http.StatusBadRequest, 10019, "invalid key")
		return
	}
	if len(key) > 512 {
		f.fail(w, http.StatusRequestURITooLong, 10033, "key name too long")
		return
	}
	switch r.Method {
	case http.MethodPut:
		ttl, err := strconv.ParseInt(r.URL.Query().Get("expiration_ttl"), 10, 64)
		if err != nil || ttl < 60 {
			f.fail(w, http.StatusBadRequest, 10016, "Invalid expiration_ttl. Expiration TTL must be at least 60.")
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, int64(f.maxValue)+1))
		if len(body) > f.maxValue {
			f.fail(w, http.StatusRequestEntityTooLarge, 10011, "Value length exceeds limit")
			return
		}
		f.data[key], f.ttls[key] = body, ttl
		f.ok(w)
	case http.MethodGet:
		v, ok := f.data[key]
		if !ok {
			f.fail(w, http.StatusNotFound, 10009, "get: 'key not found'")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(v)
	case http.MethodDelete:
		delete(f.data, key)
		f.ok(w)
	default:
		f.fail(w, http.StatusMethodNotAllowed, 10000, "method not allowed")
	}
}

func (f *fakeCloudflare) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[method]
}

func newCloudflare(t testing.TB, f *fakeCloudflare, srv *httptest.Server, mod func(*kvstore.CloudflareConfig)) *kvstore.HTTPKV {
	t.Helper()
	cfg := kvstore.CloudflareConfig{BaseURL: srv.URL + "/client/v4", AccountID: f.account, NamespaceID: f.ns, Token: f.token}
	if mod != nil {
		mod(&cfg)
	}
	s, err := kvstore.NewCloudflareKV(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCloudflare(t *testing.T) {
	ctx := context.Background()
	f, srv := newFakeCloudflare(t)
	s := newCloudflare(t, f, srv, nil)
	if s.Dialect() != "cloudflare" {
		t.Fatalf("Dialect = %q", s.Dialect())
	}
	kvstoretest.Run(t, kvstoretest.Harness{
		New:    func(*testing.T) kvstore.Store { return s },
		Prefix: "suite:",
		Caps:   kvstoretest.Caps{BinaryKeys: true},
	})

	t.Run("TTL rounded up, at least 60 s", func(t *testing.T) {
		for _, c := range []struct {
			ttl  time.Duration
			want int64
		}{{time.Millisecond, 60}, {59 * time.Second, 60}, {60 * time.Second, 60}, {60*time.Second + time.Nanosecond, 61}, {time.Hour, 3600}} {
			if err := s.Set(ctx, "ttl", []byte("v"), c.ttl); err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			got := f.ttls["ttl"]
			f.mu.Unlock()
			if got != c.want {
				t.Errorf("Set(%v): expiration_ttl=%d, want %d", c.ttl, got, c.want)
			}
		}
	})
	t.Run("refresh re-puts", func(t *testing.T) {
		puts := f.count(http.MethodPut)
		if err := kvstore.Refresh(ctx, s, "ttl", []byte("v"), 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		if f.count(http.MethodPut) != puts+1 {
			t.Fatal("Refresh did not re-put the value")
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		bad := newCloudflare(t, f, srv, func(c *kvstore.CloudflareConfig) { c.Token = "stolen-or-stale-token" })
		_, err := bad.Get(ctx, "k")
		if !errors.Is(err, kvstore.ErrUnauthorized) || !strings.Contains(err.Error(), "10000") {
			t.Fatalf("Get: %v, want ErrUnauthorized with Cloudflare's code", err)
		}
		assertNoSecrets(t, err, "stolen-or-stale-token", f.token)
	})
	t.Run("limits", func(t *testing.T) {
		offline := newCloudflare(t, f, srv, func(c *kvstore.CloudflareConfig) { c.Client = failDoer{t} })
		if err := offline.Set(ctx, "k", make([]byte, kvstore.CloudflareMaxValue+1), time.Minute); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("25 MiB + 1: %v, want ErrTooLarge", err)
		}
		if _, err := offline.Get(ctx, strings.Repeat("k", 513)); !errors.Is(err, kvstore.ErrBadKey) {
			t.Fatalf("513-byte key: %v, want ErrBadKey", err)
		}
		for _, k := range []string{".", ".."} {
			if err := offline.Delete(ctx, k); !errors.Is(err, kvstore.ErrBadKey) {
				t.Fatalf("key %q: %v, want ErrBadKey", k, err)
			}
		}
		// The server's own 413.
		f.mu.Lock()
		f.maxValue = 1000
		f.mu.Unlock()
		defer func() { f.mu.Lock(); f.maxValue = kvstore.CloudflareMaxValue; f.mu.Unlock() }()
		if err := s.Set(ctx, "k", make([]byte, 1001), time.Minute); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("server 413: %v, want ErrTooLarge", err)
		}
	})
	t.Run("unavailable: reads retried once, writes never", func(t *testing.T) {
		f.mu.Lock()
		f.status = http.StatusServiceUnavailable
		f.mu.Unlock()
		defer func() { f.mu.Lock(); f.status = 0; f.mu.Unlock() }()
		gets, puts := f.count(http.MethodGet), f.count(http.MethodPut)
		if _, err := s.Get(ctx, "k"); !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("Get: %v", err)
		}
		if err := s.Set(ctx, "k", []byte("v"), time.Minute); !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("Set: %v", err)
		}
		if g, p := f.count(http.MethodGet)-gets, f.count(http.MethodPut)-puts; g != 2 || p != 1 {
			t.Fatalf("%d GETs and %d PUTs, want 2 and 1", g, p)
		}
	})
	t.Run("slower than the deadline", func(t *testing.T) {
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer slow.Close()
		ss, _ := kvstore.NewCloudflareKV(kvstore.CloudflareConfig{BaseURL: slow.URL, AccountID: "a", NamespaceID: "n", Token: "t"})
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := ss.Get(dctx, "k"); !errors.Is(err, kvstore.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get: %v, want ErrTimeout", err)
		}
	})
	t.Run("config", func(t *testing.T) {
		for _, c := range []kvstore.CloudflareConfig{
			{AccountID: "a/b", NamespaceID: "n", Token: "t"},
			{AccountID: "a", NamespaceID: "../x", Token: "t"},
			{AccountID: "a", NamespaceID: "n"},
			{BaseURL: "http://u:p@h", AccountID: "a", NamespaceID: "n", Token: "t"},
		} {
			if _, err := kvstore.NewCloudflareKV(c); err == nil {
				t.Errorf("accepted %+v", c)
			}
		}
	})
}
