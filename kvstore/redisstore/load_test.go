package redisstore_test

import (
	"os"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// TestLoad measures requests per second through a real http.Server
// with 8 keep-alive connections, for cookie-only sessions and for the
// Memory, Webdis and Redis (single node and cluster) backends, in one
// run. It runs only when KVSTORE_LOAD names a duration:
//
//	cd kvstore/redisstore && KVSTORE_LOAD=10s go test -run TestLoad -v .
func TestLoad(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("KVSTORE_LOAD"))
	if err != nil {
		t.Skip("set KVSTORE_LOAD=10s to run the load measurement")
	}
	r := servicetest.StartRedis(t)
	w := servicetest.StartWebdis(t, r.Addr, servicetest.WebdisConfig{})
	c := servicetest.StartRedisCluster(t)
	web, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: w.URL, Username: w.User, Password: w.Password})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct {
		name  string
		store kvstore.Store
	}{
		{"cookie-only", nil},
		{"memory", kvstore.NewMemory(kvstore.MemoryConfig{})},
		{"webdis", web},
		{"redis", newStore(t, singleClient(r), "")},
		{"redis-cluster", newStore(t, clusterClient(c), "")},
	} {
		kvstoretest.Load(t, b.name, b.store, d, 8)
	}
}
