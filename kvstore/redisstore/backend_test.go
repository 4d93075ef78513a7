package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

// TestBackendTTLIsRemainingLifetime: through cookiestore, the record's
// Redis TTL is the session's remaining lifetime: the idle timeout plus
// its renewal interval (RenewFraction of it, as the cookie is sealed)
// at first, then what is left of the absolute timeout; it is stored
// under the hash of the ID, never the ID.
func TestBackendTTLIsRemainingLifetime(t *testing.T) {
	r := servicetest.StartRedis(t)
	client := singleClient(r)
	store := newStore(t, client, "app:")
	now := time.Now()
	clock := func() time.Time { return now }
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := cookiestore.New(signed.New(ring, crumb.WithClock(clock)), cookiestore.Options[struct{ N int }]{
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: time.Hour, Now: clock,
		Backend: kvstore.NewBackend(store, kvstore.BackendOptions{Now: clock}),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cookie := ""
	for i, want := range []time.Duration{37*time.Minute + 30*time.Second, 37*time.Minute + 30*time.Second, 20 * time.Minute} {
		s, _ := st.LoadHeader(ctx, cookie)
		s.Data.N++
		lines, err := st.Commit(ctx, s)
		if err != nil || len(lines) == 0 {
			t.Fatalf("request %d: Commit: %v, %d cookie lines", i, err, len(lines))
		}
		cookie, _, _ = strings.Cut(lines[0], ";")
		id, err := kvstore.ParseSessionID(s.ID())
		if err != nil {
			t.Fatal(err)
		}
		key := "app:crumb:s:{" + id.StoreKey() + "}"
		if got := client.TTL(ctx, key).Val(); got > want || got < want-time.Second {
			t.Fatalf("request %d: TTL of %s = %v, want %v", i, key, got, want)
		}
		if n := client.Exists(ctx, "app:crumb:s:"+s.ID()).Val(); n != 0 {
			t.Fatal("a record is stored under the raw session ID")
		}
		now = now.Add(20 * time.Minute) // active at 0, 20 and 40 minutes
	}
}
