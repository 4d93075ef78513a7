package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
	"github.com/crumbkit/crumb/kvstore/redisstore"
	"github.com/redis/go-redis/v9"
)

var caps = kvstoretest.Caps{BinaryKeys: true, Touch: true, Conditional: true}

// newStore returns a Store over c with prefix, closing c when the test
// ends.
func newStore(t testing.TB, c redis.UniversalClient, prefix string) *redisstore.Store {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	s, err := redisstore.New(redisstore.Options{Client: c, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The clients give up on a node that is down after one dial and one
// retry (go-redis's defaults: five dials, three retries), so the fault
// tests take seconds, not minutes; the behaviour is the same.
func singleClient(r *servicetest.Redis) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: r.Addr, ContextTimeoutEnabled: true, DialerRetries: 1, MaxRetries: 1})
}

func clusterClient(c *servicetest.RedisCluster) *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ContextTimeoutEnabled: true, DialerRetries: 1, MaxRetries: 1})
}

// TestSingleNode runs the shared suite on one redis-server, killed and
// restarted (empty) for the fault tests.
func TestSingleNode(t *testing.T) {
	r := servicetest.StartRedis(t)
	kvstoretest.Run(t, kvstoretest.Harness{
		New:  func(t *testing.T) kvstore.Store { return newStore(t, singleClient(r), "app:") },
		Caps: caps,
		Stop: func(*testing.T) { r.Kill() },
		Start: func(t *testing.T) {
			if err := r.Restart(); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestCluster runs the shared suite on a three-master Redis Cluster.
// The fault tests kill one primary mid-run: requests whose session
// lives on the other two may still succeed (and must then be readable
// later), until the cluster marks itself down; none may answer 2xx for
// a write that was lost. Start restarts the node and waits until the
// cluster is healthy again.
func TestCluster(t *testing.T) {
	c := servicetest.StartRedisCluster(t)
	victim := c.Nodes[1]
	kvstoretest.Run(t, kvstoretest.Harness{
		New:  func(t *testing.T) kvstore.Store { return newStore(t, clusterClient(c), "app:") },
		Caps: caps,
		Stop: func(*testing.T) { victim.Kill() },
		Start: func(t *testing.T) {
			if err := victim.Restart(); err != nil {
				t.Fatal(err)
			}
			if err := c.WaitHealthy(30 * time.Second); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestClusterHashTags: a session's record and its revocation marker
// share a hash slot, so they are on the same primary.
func TestClusterHashTags(t *testing.T) {
	c := servicetest.StartRedisCluster(t)
	client := clusterClient(c)
	s := newStore(t, client, "")
	ctx := context.Background()
	sessions := kvstore.NewSessions(s)
	slots := map[int64]bool{}
	for i := 0; i < 16; i++ {
		id := kvstore.NewSessionID()
		if err := sessions.Save(ctx, id, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := sessions.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		h := id.StoreKey()
		tomb := "crumb:s:r:{" + h + "}"
		if n, err := client.Exists(ctx, tomb).Result(); err != nil || n != 1 {
			t.Fatalf("revocation marker not stored under %q: %d, %v", tomb, n, err)
		}
		rec, err := client.ClusterKeySlot(ctx, "crumb:s:{"+h+"}").Result()
		if err != nil {
			t.Fatal(err)
		}
		ts, err := client.ClusterKeySlot(ctx, tomb).Result()
		if err != nil {
			t.Fatal(err)
		}
		if rec != ts {
			t.Fatalf("record in slot %d, its marker in slot %d", rec, ts)
		}
		slots[rec] = true
	}
	if len(slots) < 8 {
		t.Fatalf("16 sessions in only %d slots: the tag does not spread sessions", len(slots))
	}
}

func TestKeyLayout(t *testing.T) {
	r := servicetest.StartRedis(t)
	client := singleClient(r)
	s := newStore(t, client, "p:")
	ctx := context.Background()
	h := kvstore.NewSessionID().StoreKey()
	for _, c := range []struct{ key, redisKey string }{
		{"plain", "p:plain"},
		{h, "p:{" + h + "}"},
		{"r:" + h, "p:r:{" + h + "}"},
		{"x" + strings.ToUpper(h), "p:x" + strings.ToUpper(h)}, // not a store key: no tag
		{"{" + h, "p:{" + h},                                   // a brace before: left alone
	} {
		if err := s.Set(ctx, c.key, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := client.Get(ctx, c.redisKey).Result()
		if err != nil || got != "\x01v" {
			t.Errorf("key %q: Redis holds %q, %v under %q; want the format byte and the value", c.key, got, err, c.redisKey)
		}
	}
	if _, err := redisstore.New(redisstore.Options{Client: client, Prefix: "app{1}:"}); err == nil {
		t.Error("a prefix with braces was accepted")
	}
	if _, err := redisstore.New(redisstore.Options{}); err == nil {
		t.Error("no client was accepted")
	}
	for _, c := range []redis.UniversalClient{
		redis.NewClient(&redis.Options{Addr: r.Addr}),
		redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{r.Addr}}),
	} {
		if _, err := redisstore.New(redisstore.Options{Client: c}); err == nil {
			t.Errorf("%T that ignores context deadlines was accepted", c)
		}
		c.Close()
	}
}

// TestRedisReplies checks how Redis's own answers come back.
func TestRedisReplies(t *testing.T) {
	r := servicetest.StartRedis(t)
	client := singleClient(r)
	s := newStore(t, client, "q:")
	ctx := context.Background()

	t.Run("TTL rounded up to whole seconds", func(t *testing.T) {
		for _, c := range []struct {
			ttl  time.Duration
			want time.Duration
		}{{time.Millisecond, time.Second}, {1500 * time.Millisecond, 2 * time.Second}, {time.Minute, time.Minute}} {
			if err := s.Set(ctx, "ttl", []byte("v"), c.ttl); err != nil {
				t.Fatal(err)
			}
			// The TTL can only have gone down since the write.
			if got := client.TTL(ctx, "q:ttl").Val(); got > c.want || got < c.want-time.Second {
				t.Fatalf("TTL after Set(%v) = %v, want %v", c.ttl, got, c.want)
			}
		}
		if err := s.Touch(ctx, "ttl", 90*time.Second+time.Nanosecond); err != nil {
			t.Fatal(err)
		}
		if got := client.TTL(ctx, "q:ttl").Val(); got != 91*time.Second && got != 90*time.Second {
			t.Fatalf("TTL after Touch(90s+1ns) = %v, want 91s", got)
		}
	})
	t.Run("a value not written by crumb", func(t *testing.T) {
		client.Set(ctx, "q:foreign", "plain", time.Minute)
		if _, err := s.Get(ctx, "foreign"); !errors.Is(err, kvstore.ErrProtocol) {
			t.Fatalf("Get of a foreign value: %v, want ErrProtocol", err)
		}
	})
	t.Run("error replies keep only their code", func(t *testing.T) {
		client.Del(ctx, "q:list-secret-key")
		client.LPush(ctx, "q:list-secret-key", "x")
		_, err := s.Get(ctx, "list-secret-key")
		if !errors.Is(err, kvstore.ErrProtocol) || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Fatalf("Get on a list: %v, want ErrProtocol naming WRONGTYPE", err)
		}
		assertNoSecrets(t, err, "secret-key")
	})
	t.Run("out of memory is unavailable", func(t *testing.T) {
		client.ConfigSet(ctx, "maxmemory", "1")
		err := s.Set(ctx, "oom", []byte("secret-value"), time.Minute)
		client.ConfigSet(ctx, "maxmemory", "0")
		if !errors.Is(err, kvstore.ErrUnavailable) || !strings.Contains(err.Error(), "OOM") {
			t.Fatalf("Set on a full Redis: %v, want ErrUnavailable naming OOM", err)
		}
		assertNoSecrets(t, err, "secret-value", "q:oom")
	})
	t.Run("value limits", func(t *testing.T) {
		small, _ := redisstore.New(redisstore.Options{Client: client, Prefix: "q:", MaxValueBytes: 100})
		if err := small.Set(ctx, "big", make([]byte, 101), time.Minute); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("value over MaxValueBytes: %v", err)
		}
		if err := s.Set(ctx, "2k", make([]byte, 2000), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := small.Get(ctx, "2k"); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("reading a value over MaxValueBytes: %v", err)
		}
	})
	t.Run("slower than the deadline", func(t *testing.T) {
		if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		admin := singleClient(r)
		defer admin.Close()
		admin.Do(ctx, "CLIENT", "PAUSE", "800", "ALL")
		dctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		defer cancel()
		_, err := s.Get(dctx, "k")
		if !errors.Is(err, kvstore.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Get past the deadline: %v, want ErrTimeout and DeadlineExceeded", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		dead := newStore(t, redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, ContextTimeoutEnabled: true}), "")
		err := dead.Set(ctx, "k", []byte("v"), time.Minute)
		if !errors.Is(err, kvstore.ErrUnavailable) {
			t.Fatalf("Set with nothing listening: %v, want ErrUnavailable", err)
		}
		var e *kvstore.Error
		if !errors.As(err, &e) || e.Store != "redis" || e.Op != "set" {
			t.Fatalf("error %#v: want a *kvstore.Error from store redis, op set", err)
		}
	})
}

// TestACL: the store authenticates as a Redis ACL user allowed exactly
// GET, SET, DEL and EXPIRE on its prefix, and passes the whole suite
// with it; wrong or missing credentials and keys outside the prefix are
// ErrUnauthorized, and no error text holds the password.
func TestACL(t *testing.T) {
	r := servicetest.StartRedis(t)
	ctx := context.Background()
	admin := singleClient(r)
	const adminPW, userPW = "admin-pw-3141", "user-pw-2718"
	for _, cmd := range [][]any{
		{"ACL", "SETUSER", "crumb", "reset", "on", ">" + userPW, "~app:*", "+get", "+set", "+del", "+expire"},
		{"ACL", "SETUSER", "default", "on", ">" + adminPW},
	} {
		if err := admin.Do(ctx, cmd...).Err(); err != nil {
			t.Fatalf("%v: %v", cmd[:3], err)
		}
	}
	admin.Close()
	as := func(user, pw, prefix string) *redisstore.Store {
		return newStore(t, redis.NewClient(&redis.Options{Addr: r.Addr, Username: user, Password: pw, MaxRetries: -1, ContextTimeoutEnabled: true}), prefix)
	}
	kvstoretest.Run(t, kvstoretest.Harness{
		New:  func(t *testing.T) kvstore.Store { return as("crumb", userPW, "app:") },
		Caps: caps,
	})
	for _, c := range []struct{ name, user, pw, prefix string }{
		{"wrong password", "crumb", "wrong-pw-999", "app:"},
		{"no credentials", "", "", "app:"},
		{"unknown user", "nobody", userPW, "app:"},
		{"key outside the user's prefix", "crumb", userPW, "other:"},
	} {
		s := as(c.user, c.pw, c.prefix)
		_, err := s.Get(ctx, "k")
		err2 := s.Set(ctx, "k", []byte("secret-value"), time.Minute)
		for _, err := range []error{err, err2} {
			if !errors.Is(err, kvstore.ErrUnauthorized) {
				t.Fatalf("%s: %v, want ErrUnauthorized", c.name, err)
			}
			assertNoSecrets(t, err, c.pw, userPW, adminPW, "secret-value")
		}
	}
}

// assertNoSecrets fails if err's text holds any of the secrets.
func assertNoSecrets(t testing.TB, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if err != nil && s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error text %q contains a secret or key", err)
		}
	}
}
