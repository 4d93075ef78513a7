package kvstore_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

func TestMemoryConformance(t *testing.T) {
	kvstoretest.Run(t, kvstoretest.Harness{
		New:  func(*testing.T) kvstore.Store { return kvstore.NewMemory(kvstore.MemoryConfig{}) },
		Caps: kvstoretest.Caps{BinaryKeys: true, Touch: true, Conditional: true},
	})
}

// clock is a manual clock for expiry tests: no sleeping, no timing.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestMemoryExpiry(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	m := kvstore.NewMemory(kvstore.MemoryConfig{Now: clk.Now})
	// 1.2 s rounds up to 2 s, like every store.
	if err := m.Set(ctx, "k", []byte("v"), 1200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	clk.Add(1999 * time.Millisecond)
	if _, err := m.Get(ctx, "k"); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	clk.Add(time.Millisecond)
	if _, err := m.Get(ctx, "k"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("at expiry: %v, want ErrNotFound", err)
	}
	if m.Len() != 0 {
		t.Fatalf("expired entry kept: Len = %d", m.Len())
	}

	// Touch extends; Touch on an expired key is ErrNotFound.
	m.Set(ctx, "t", []byte("v"), time.Second)
	if err := m.Touch(ctx, "t", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Add(5 * time.Second)
	if _, err := m.Get(ctx, "t"); err != nil {
		t.Fatalf("touched key expired early: %v", err)
	}
	clk.Add(5 * time.Second)
	if err := m.Touch(ctx, "t", time.Second); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("Touch after expiry: %v", err)
	}
}

func TestMemoryBounds(t *testing.T) {
	ctx := context.Background()
	t.Run("entries, least recently used first", func(t *testing.T) {
		m := kvstore.NewMemory(kvstore.MemoryConfig{MaxEntries: 3})
		for i := 0; i < 3; i++ {
			m.Set(ctx, strconv.Itoa(i), []byte("v"), time.Minute)
		}
		m.Get(ctx, "0") // 1 is now the least recently used
		m.Set(ctx, "3", []byte("v"), time.Minute)
		if m.Len() != 3 {
			t.Fatalf("Len = %d, want 3", m.Len())
		}
		if _, err := m.Get(ctx, "1"); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("LRU entry kept: %v", err)
		}
		for _, k := range []string{"0", "2", "3"} {
			if _, err := m.Get(ctx, k); err != nil {
				t.Fatalf("%s evicted: %v", k, err)
			}
		}
	})
	t.Run("bytes", func(t *testing.T) {
		m := kvstore.NewMemory(kvstore.MemoryConfig{MaxBytes: 100, MaxValueBytes: 60})
		m.Set(ctx, "a", make([]byte, 40), time.Minute) // 41 bytes
		m.Set(ctx, "b", make([]byte, 40), time.Minute) // 82
		m.Set(ctx, "c", make([]byte, 40), time.Minute) // 123 > 100: a goes
		if _, err := m.Get(ctx, "a"); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("a kept over the byte bound: %v", err)
		}
		if m.Len() != 2 {
			t.Fatalf("Len = %d, want 2", m.Len())
		}
		if err := m.Set(ctx, "d", make([]byte, 61), time.Minute); !errors.Is(err, kvstore.ErrTooLarge) {
			t.Fatalf("oversized value: %v, want ErrTooLarge", err)
		}
	})
	t.Run("expired entries go first", func(t *testing.T) {
		clk := &clock{now: time.Unix(1_700_000_000, 0)}
		m := kvstore.NewMemory(kvstore.MemoryConfig{MaxEntries: 2, Now: clk.Now})
		m.Set(ctx, "short", []byte("v"), time.Second)
		m.Set(ctx, "long", []byte("v"), time.Hour)
		m.Get(ctx, "short") // most recently used, but about to expire
		clk.Add(2 * time.Second)
		m.Set(ctx, "new", []byte("v"), time.Hour)
		if _, err := m.Get(ctx, "long"); err != nil {
			t.Fatalf("live entry evicted while an expired one was kept: %v", err)
		}
	})
}

func TestMemoryReturnsCopies(t *testing.T) {
	ctx := context.Background()
	m := kvstore.NewMemory(kvstore.MemoryConfig{})
	v := []byte("abc")
	m.Set(ctx, "k", v, time.Minute)
	v[0] = 'X'
	got, _ := m.Get(ctx, "k")
	got[1] = 'Y'
	again, _ := m.Get(ctx, "k")
	if string(again) != "abc" {
		t.Fatalf("store aliased caller memory: %q", again)
	}
}
