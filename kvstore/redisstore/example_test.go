package redisstore_test

import (
	"crypto/tls"
	"fmt"
	"os"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/redisstore"
	"github.com/redis/go-redis/v9"
)

// A store on Amazon ElastiCache or MemoryDB: TLS, an ACL user, and
// context deadlines honoured. Nothing is dialled until the first
// command.
func ExampleNew() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"clustercfg.sessions.abc123.use1.cache.amazonaws.com:6379"},
		Username:              "crumb",
		Password:              os.Getenv("REDIS_PASSWORD"),
		TLSConfig:             &tls.Config{MinVersion: tls.VersionTLS12},
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	store, err := redisstore.New(redisstore.Options{Client: client, Prefix: "myapp:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	backend := kvstore.NewBackend(store, kvstore.BackendOptions{})
	_ = backend // cookiestore.Options[T]{Backend: backend}
	fmt.Println("ok")
	// Output: ok
}
