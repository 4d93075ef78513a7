package redisstore

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// TestTTLRoundsUpWithoutOverflow: a TTL is rounded up to whole seconds
// for EX, and the longest TTLs stay positive: a negative EX would make
// go-redis send SET without an expiry (a record that never expires) and
// EXPIRE with a negative one (a Touch that deletes the record).
func TestTTLRoundsUpWithoutOverflow(t *testing.T) {
	for _, tc := range []struct {
		in, want time.Duration
	}{
		{1, time.Second},
		{time.Second, time.Second},
		{time.Second + 1, 2 * time.Second},
		{400 * 24 * time.Hour, 400 * 24 * time.Hour},
		{math.MaxInt64 - time.Second + 2, time.Duration(math.MaxInt64) / time.Second * time.Second},
		{math.MaxInt64, time.Duration(math.MaxInt64) / time.Second * time.Second},
	} {
		got, err := ttl("set", tc.in)
		if err != nil {
			t.Fatalf("ttl(%d): %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("ttl(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, bad := range []time.Duration{0, -1, math.MinInt64} {
		if _, err := ttl("set", bad); !errors.Is(err, kvstore.ErrBadTTL) {
			t.Errorf("ttl(%d): %v, want ErrBadTTL", bad, err)
		}
	}
}
