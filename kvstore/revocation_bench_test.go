package kvstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// BenchmarkRevocationCheck compares one revocation check of a session of
// a user, over Webdis, with the cache (answers within MaxStale, the hot
// path) and without it (one MGET per check), in the same run.
func BenchmarkRevocationCheck(b *testing.B) {
	_, w := sharedWebdis(b)
	store := newWebdis(b, w, nil)
	s := cookiestore.SessionInfo{ID: kvstore.NewSessionID().Encode(), User: "ada@example.com", Created: time.Now().Add(-time.Minute)}
	for _, c := range []struct {
		name     string
		maxStale time.Duration
	}{{"cached", time.Hour}, {"uncached", -1}} {
		b.Run(c.name, func(b *testing.B) {
			rev := kvstore.NewRevocations(store, kvstore.RevocationOptions{Prefix: "bench:", MaxStale: c.maxStale})
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := rev.Check(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
