package kvstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

func newUpstash(t testing.TB, u *servicetest.Upstash, mod func(*kvstore.UpstashConfig)) *kvstore.HTTPKV {
	t.Helper()
	cfg := kvstore.UpstashConfig{URL: u.URL, Token: u.Token}
	if mod != nil {
		mod(&cfg)
	}
	s, err := kvstore.NewUpstash(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestUpstash runs against @humanwhocodes/upstash-redis-server, a real
// server speaking Upstash's REST form, in front of the shared Redis.
func TestUpstash(t *testing.T) {
	r, _ := sharedWebdis(t)
	u := sharedUpstash(t)
	ctx := context.Background()
	s := newUpstash(t, u, func(c *kvstore.UpstashConfig) { c.Prefix = "up:" })
	if s.Dialect() != "upstash" {
		t.Fatalf("Dialect = %q", s.Dialect())
	}
	kvstoretest.Run(t, kvstoretest.Harness{
		New:    func(*testing.T) kvstore.Store { return s },
		Prefix: "suite:",
		Caps:   kvstoretest.Caps{Touch: true, Conditional: true},
	})

	t.Run("stored base64 with a whole-second TTL", func(t *testing.T) {
		if err := s.Set(ctx, "b64", []byte{0, 0xff, 'x'}, 1500*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if got := redisDo(t, r.Addr, "GET", "up:b64"); got != "AP94" {
			t.Fatalf("Redis holds %q, want base64 AP94", got)
		}
		if ttl := redisDo(t, r.Addr, "TTL", "up:b64"); ttl != "2" && ttl != "1" {
			t.Fatalf("TTL = %v, want 2 (1.5 s rounded up)", ttl)
		}
	})
	t.Run("invalid UTF-8 key refused before the network", func(t *testing.T) {
		offline := newUpstash(t, u, func(c *kvstore.UpstashConfig) { c.Client = failDoer{t} })
		if _, err := offline.Get(ctx, "bad\xffkey"); !errors.Is(err, kvstore.ErrBadKey) {
			t.Fatalf("Get: %v, want ErrBadKey", err)
		}
	})
	t.Run("a Redis error reply", func(t *testing.T) {
		redisDo(t, r.Addr, "DEL", "up:list")
		redisDo(t, r.Addr, "LPUSH", "up:list", "x")
		if _, err := s.Get(ctx, "list"); !errors.Is(err, kvstore.ErrProtocol) || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Fatalf("Get on a list: %v, want ErrProtocol naming WRONGTYPE", err)
		}
		redisDo(t, r.Addr, "SET", "up:foreign", "not base64!")
		if _, err := s.Get(ctx, "foreign"); !errors.Is(err, kvstore.ErrProtocol) {
			t.Fatalf("Get of a foreign value: %v, want ErrProtocol", err)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		bad := newUpstash(t, u, func(c *kvstore.UpstashConfig) { c.Token = "wrong-token-xyz" })
		_, err := bad.Get(ctx, "k")
		if !errors.Is(err, kvstore.ErrUnauthorized) {
			t.Fatalf("Get: %v, want ErrUnauthorized", err)
		}
		err2 := bad.Set(ctx, "k", []byte("secret-value"), time.Minute)
		if !errors.Is(err2, kvstore.ErrUnauthorized) {
			t.Fatalf("Set: %v, want ErrUnauthorized", err2)
		}
		assertNoSecrets(t, err, "wrong-token-xyz", u.Token)
		assertNoSecrets(t, err2, "wrong-token-xyz", u.Token, "secret-value")
	})
	t.Run("value over the limit", func(t *testing.T) {
		small := newUpstash(t, u, func(c *kvstore.UpstashConfig) { c.MaxValueBytes = 10; c.Client = failDoer{t} })
		if err := small.Set(ctx, "k", make([]byte, 11), time.Minute); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("Set: %v, want ErrTooLarge", err)
		}
	})
}

// TestUpstashRedisDown: with Redis gone the emulator's Redis client
// queues and retries, so the caller's deadline decides; either way the
// caller gets a typed error, and the store recovers with Redis.
func TestUpstashRedisDown(t *testing.T) {
	ctx := context.Background()
	r := servicetest.StartRedis(t)
	u := servicetest.StartUpstash(t, r.Addr)
	s := newUpstash(t, u, nil)
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	r.Kill()
	dctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	_, err := s.Get(dctx, "k")
	if !errors.Is(err, kvstore.ErrTimeout) && !errors.Is(err, kvstore.ErrUnavailable) {
		t.Fatalf("Get with Redis down: %v, want ErrTimeout or ErrUnavailable", err)
	}
	dctx2, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	err = s.Set(dctx2, "k", []byte("v"), time.Minute)
	if !errors.Is(err, kvstore.ErrTimeout) && !errors.Is(err, kvstore.ErrUnavailable) {
		t.Fatalf("Set with Redis down: %v, want ErrTimeout or ErrUnavailable", err)
	}
	if err := r.Restart(); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for i := 0; i < 100; i++ {
		if lastErr = s.Set(ctx, "k", []byte("v2"), time.Minute); lastErr == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("no recovery after Redis restarted: %v", lastErr)
	}
}
