package dynamostore_test

import (
	"sync"
	"testing"

	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// benchWebdis is a Redis with Webdis in front, started once per run for
// the Webdis column of the comparison.
var benchWebdis struct {
	once sync.Once
	r    *servicetest.Redis
	w    *servicetest.Webdis
	err  error
}

func webdisStore(t testing.TB) kvstore.Store {
	t.Helper()
	benchWebdis.once.Do(func() {
		if benchWebdis.r, benchWebdis.err = servicetest.LaunchRedis(shared.dir); benchWebdis.err != nil {
			return
		}
		benchWebdis.w, benchWebdis.err = servicetest.LaunchWebdis(shared.dir, benchWebdis.r.Addr, servicetest.WebdisConfig{})
	})
	if benchWebdis.err != nil {
		servicetest.Fail(t, benchWebdis.err)
	}
	w := benchWebdis.w
	s, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: w.URL, Username: w.User, Password: w.Password})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// BenchmarkRoundTrip compares one Set plus one Get of a 1 KiB session
// across stores, in one run so the ratios are fair:
//
//	cd kvstore/dynamostore && go test -run '^$' -bench RoundTrip -count 3 .
//
// dynalite is a Node.js server on loopback, not DynamoDB: its figure is
// the client's cost plus a local JSON-over-HTTP round trip, and says
// nothing about DynamoDB's own latency (single-digit milliseconds
// within a region, more than any loopback store here).
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		kvstoretest.RoundTrip(b, kvstore.NewMemory(kvstore.MemoryConfig{}))
	})
	b.Run("webdis", func(b *testing.B) {
		kvstoretest.RoundTrip(b, webdisStore(b))
	})
	b.Run("dynamodb-dynalite", func(b *testing.B) {
		kvstoretest.RoundTrip(b, newStore(b, sharedDynalite(b).URL, nil))
	})
}
