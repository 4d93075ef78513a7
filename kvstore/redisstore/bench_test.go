package redisstore_test

import (
	"sync"
	"testing"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
	"github.com/redis/go-redis/v9"
)

// benchServices are started once per benchmark run and shared by its
// sub-benchmarks: one redis-server behind both this store and Webdis,
// so the two measure the same Redis, and a three-master cluster.
var bench struct {
	once    sync.Once
	redis   *servicetest.Redis
	webdis  *servicetest.Webdis
	cluster *servicetest.RedisCluster
	err     error
}

func benchServices(b *testing.B) (*servicetest.Redis, *servicetest.Webdis, *servicetest.RedisCluster) {
	b.Helper()
	bench.once.Do(func() {
		dir := sharedDir
		if bench.redis, bench.err = servicetest.LaunchRedis(dir); bench.err != nil {
			return
		}
		if bench.webdis, bench.err = servicetest.LaunchWebdis(dir, bench.redis.Addr, servicetest.WebdisConfig{}); bench.err != nil {
			return
		}
		bench.cluster, bench.err = servicetest.LaunchRedisCluster(dir)
	})
	if bench.err != nil {
		servicetest.Fail(b, bench.err)
	}
	return bench.redis, bench.webdis, bench.cluster
}

// BenchmarkRoundTrip compares one Set plus one Get of a 1 KiB session
// across stores, in one run so the ratios are fair:
//
//	cd kvstore/redisstore && go test -run '^$' -bench RoundTrip -count 3
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		kvstoretest.RoundTrip(b, kvstore.NewMemory(kvstore.MemoryConfig{}))
	})
	b.Run("webdis", func(b *testing.B) {
		_, w, _ := benchServices(b)
		s, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: w.URL, Username: w.User, Password: w.Password})
		if err != nil {
			b.Fatal(err)
		}
		kvstoretest.RoundTrip(b, s)
	})
	b.Run("redis", func(b *testing.B) {
		r, _, _ := benchServices(b)
		kvstoretest.RoundTrip(b, newStore(b, redis.NewClient(&redis.Options{Addr: r.Addr, ContextTimeoutEnabled: true}), ""))
	})
	b.Run("redis-cluster", func(b *testing.B) {
		_, _, c := benchServices(b)
		kvstoretest.RoundTrip(b, newStore(b, redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), ContextTimeoutEnabled: true}), ""))
	})
}
