package kvstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// benchRoundTrip measures one Set plus one Get of a 1 KiB session.
func benchRoundTrip(b *testing.B, s kvstore.Store) {
	ctx := context.Background()
	v := make([]byte, 1024)
	key := kvstore.NewSessionID().StoreKey()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v[0] = byte(i)
		if err := s.Set(ctx, key, v, time.Minute); err != nil {
			b.Fatal(err)
		}
		got, err := s.Get(ctx, key)
		if err != nil || got[0] != byte(i) {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryGetSet(b *testing.B) {
	benchRoundTrip(b, kvstore.NewMemory(kvstore.MemoryConfig{}))
}

func BenchmarkWebdisGetSet(b *testing.B) {
	_, w := sharedWebdis(b)
	s, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: w.URL, Username: w.User, Password: w.Password})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, s)
}

func BenchmarkUpstashGetSet(b *testing.B) {
	u := sharedUpstash(b)
	s, err := kvstore.NewUpstash(kvstore.UpstashConfig{URL: u.URL, Token: u.Token})
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, s)
}
