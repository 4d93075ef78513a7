// Package redisstore keeps crumb's server-side sessions in Redis over
// TCP: a single node, Redis Cluster or Sentinel, through the client
// github.com/redis/go-redis/v9.
//
// It is a nested module of its own, so that programs which do not
// import it (the edge builds, cookie-only users, users of the HTTP
// stores) never download or link go-redis.
//
//	client := redis.NewClusterClient(&redis.ClusterOptions{
//		Addrs:                 []string{"node1:6379", "node2:6379", "node3:6379"},
//		Username:              "crumb",
//		Password:              os.Getenv("REDIS_PASSWORD"),
//		TLSConfig:             &tls.Config{MinVersion: tls.VersionTLS12},
//		ContextTimeoutEnabled: true,
//	})
//	store, err := redisstore.New(redisstore.Options{Client: client})
//	backend := kvstore.NewBackend(store, kvstore.BackendOptions{})
//
// The semantics are those of the other kvstore stores (see package
// kvstore and docs/kvstore.md): session IDs stored only as hashes, a TTL
// equal to the session's remaining lifetime, create-only writes for new
// sessions, and a logout that no concurrent request can undo. A session's
// record and its revocation marker share a Redis Cluster hash slot. A
// Redis that is down or a cluster that lost a primary gives typed errors
// (kvstore.ErrUnavailable, kvstore.ErrTimeout), which cookiestore turns
// into a 503, never into a success for data that was not saved.
package redisstore
