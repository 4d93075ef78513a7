package kvstoretest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// Conformance runs the behaviour every Store promises: round trips of
// binary values, keys with special bytes kept apart, ErrNotFound for a
// missing key, Touch and Refresh, the conditional writes, bad input
// refused before the network, an ended context as ErrTimeout, and
// concurrent use. prefix keeps its keys apart from other tests sharing
// the same backend.
func Conformance(t *testing.T, s kvstore.Store, prefix string, caps Caps) {
	ctx := context.Background()
	values := map[string][]byte{
		"binary": {0, 1, 2, 0xff, 0xfe, '-', 'E', 'R', 'R', '\r', '\n'},
		"dash":   []byte("-ERR looks like a Redis error"),
		"empty":  {},
		"json":   []byte(`{"GET":[false,"ERR x"]}`),
		"big":    bytes.Repeat([]byte("0123456789abcdef"), 4096),
	}
	t.Run("round trip", func(t *testing.T) {
		for name, v := range values {
			key := prefix + "rt-" + name
			if err := s.Set(ctx, key, v, time.Minute); err != nil {
				t.Fatalf("%s: Set: %v", name, err)
			}
			got, err := s.Get(ctx, key)
			if err != nil {
				t.Fatalf("%s: Get: %v", name, err)
			}
			if !bytes.Equal(got, v) {
				t.Fatalf("%s: Get = %q, want %q", name, trunc(got), trunc(v))
			}
		}
	})
	t.Run("keys with special bytes", func(t *testing.T) {
		keys := []string{
			"a+b", "a/b", "a/../b", "x.json", "x.txt", "x.raw", "x.msg", "x.",
			"100%", "%2F", "sp ace", "q?x=1", "h#f", "semi;colon", "colon:key",
			"uni-ćé-日本", "tab\tkey",
		}
		if caps.BinaryKeys {
			keys = append(keys, "nul\x00byte", "\xff\xfe")
		}
		for i, k := range keys {
			key := prefix + k
			v := []byte{byte(i), 'v'}
			if err := s.Set(ctx, key, v, time.Minute); err != nil {
				t.Fatalf("Set(%q): %v", k, err)
			}
		}
		// Read back after all writes, so two keys that collapsed onto
		// one stored key would show.
		for i, k := range keys {
			got, err := s.Get(ctx, prefix+k)
			if err != nil || !bytes.Equal(got, []byte{byte(i), 'v'}) {
				t.Fatalf("Get(%q) = %q, %v; want %q", k, got, err, []byte{byte(i), 'v'})
			}
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := s.Get(ctx, prefix+"never-set"); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("Get missing: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, prefix+"never-set"); err != nil {
			t.Fatalf("Delete missing: %v", err)
		}
	})
	t.Run("overwrite and delete", func(t *testing.T) {
		key := prefix + "ow"
		for _, v := range []string{"one", "two"} {
			if err := s.Set(ctx, key, []byte(v), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.Get(ctx, key); err != nil || string(got) != "two" {
			t.Fatalf("Get = %q, %v", got, err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
	})
	t.Run("touch and refresh", func(t *testing.T) {
		key := prefix + "touch"
		if err := s.Set(ctx, key, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		tc, ok := s.(kvstore.Toucher)
		if ok {
			err := tc.Touch(ctx, key, time.Hour)
			switch {
			case caps.Touch && err != nil:
				t.Fatalf("Touch: %v", err)
			case !caps.Touch && !errors.Is(err, errors.ErrUnsupported):
				t.Fatalf("Touch: %v, want ErrUnsupported", err)
			}
			if caps.Touch {
				if err := tc.Touch(ctx, prefix+"touch-missing", time.Hour); !errors.Is(err, kvstore.ErrNotFound) {
					t.Fatalf("Touch missing: %v, want ErrNotFound", err)
				}
			}
		}
		if err := kvstore.Refresh(ctx, s, key, []byte("v"), time.Hour); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		// Where the store can touch, Refresh never brings back a key
		// that is gone (a deleted session must stay deleted); without
		// Touch it is a re-put, which Sessions guards with a tombstone.
		err := kvstore.Refresh(ctx, s, prefix+"refresh-missing", []byte("w"), time.Hour)
		_, getErr := s.Get(ctx, prefix+"refresh-missing")
		switch {
		case caps.Touch && (!errors.Is(err, kvstore.ErrNotFound) || !errors.Is(getErr, kvstore.ErrNotFound)):
			t.Fatalf("Refresh of a missing key: %v, then Get: %v; want ErrNotFound and nothing written", err, getErr)
		case !caps.Touch && (err != nil || getErr != nil):
			t.Fatalf("Refresh (re-put) of a missing key: %v, then Get: %v", err, getErr)
		}
	})
	t.Run("conditional writes", func(t *testing.T) {
		c, ok := s.(kvstore.ConditionalSetter)
		if !ok {
			t.Fatal("store has no conditional writes")
		}
		key := prefix + "cond"
		_ = s.Delete(ctx, key)
		stored, err := c.SetIfExists(ctx, key, []byte("x"), time.Minute)
		if !caps.Conditional {
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("SetIfExists: %v, want ErrUnsupported", err)
			}
			if _, err := c.SetIfAbsent(ctx, key, []byte("x"), time.Minute); !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("SetIfAbsent: %v, want ErrUnsupported", err)
			}
			return
		}
		if err != nil || stored {
			t.Fatalf("SetIfExists on a missing key: %v, %v; want false, nil", stored, err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("SetIfExists on a missing key wrote it: %v", err)
		}
		for i, v := range values {
			// Each value once as a create, then as an overwrite.
			_ = s.Delete(ctx, key)
			if stored, err := c.SetIfAbsent(ctx, key, v, time.Minute); err != nil || !stored {
				t.Fatalf("%s: SetIfAbsent on a missing key: %v, %v", i, stored, err)
			}
			if stored, err := c.SetIfAbsent(ctx, key, []byte("other"), time.Minute); err != nil || stored {
				t.Fatalf("%s: SetIfAbsent on an existing key: %v, %v; want false", i, stored, err)
			}
			if got, err := s.Get(ctx, key); err != nil || !bytes.Equal(got, v) {
				t.Fatalf("%s: after SetIfAbsent: %q, %v", i, trunc(got), err)
			}
			w := append([]byte("2"), v...)
			if stored, err := c.SetIfExists(ctx, key, w, time.Minute); err != nil || !stored {
				t.Fatalf("%s: SetIfExists on an existing key: %v, %v", i, stored, err)
			}
			if got, err := s.Get(ctx, key); err != nil || !bytes.Equal(got, w) {
				t.Fatalf("%s: after SetIfExists: %q, %v", i, trunc(got), err)
			}
		}
		if _, err := c.SetIfExists(ctx, key, []byte("v"), 0); !errors.Is(err, kvstore.ErrBadTTL) {
			t.Fatalf("SetIfExists with zero TTL: %v", err)
		}
		if _, err := c.SetIfAbsent(ctx, "", []byte("v"), time.Minute); !errors.Is(err, kvstore.ErrBadKey) {
			t.Fatalf("SetIfAbsent with an empty key: %v", err)
		}
	})
	t.Run("bad input never reaches the store", func(t *testing.T) {
		long := strings.Repeat("k", kvstore.MaxKeyLen+1)
		cases := []struct {
			name string
			err  error
			call func() error
		}{
			{"empty key get", kvstore.ErrBadKey, func() error { _, err := s.Get(ctx, ""); return err }},
			{"empty key set", kvstore.ErrBadKey, func() error { return s.Set(ctx, "", []byte("v"), time.Minute) }},
			{"long key get", kvstore.ErrBadKey, func() error { _, err := s.Get(ctx, long); return err }},
			{"long key delete", kvstore.ErrBadKey, func() error { return s.Delete(ctx, long) }},
			{"zero ttl", kvstore.ErrBadTTL, func() error { return s.Set(ctx, prefix+"t", []byte("v"), 0) }},
			{"negative ttl", kvstore.ErrBadTTL, func() error { return s.Set(ctx, prefix+"t", []byte("v"), -time.Second) }},
		}
		for _, c := range cases {
			err := c.call()
			if !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.err)
			}
			checkTyped(t, c.name, err)
		}
	})
	t.Run("context already done", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Get(cctx, prefix+"x"); !errors.Is(err, kvstore.ErrTimeout) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Get with canceled context: %v", err)
		}
		dctx, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel2()
		if err := s.Set(dctx, prefix+"x", []byte("v"), time.Minute); !errors.Is(err, kvstore.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Set past deadline: %v", err)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := prefix + "conc-" + string(rune('a'+g))
				for i := 0; i < 10; i++ {
					v := []byte{byte(g), byte(i)}
					if err := s.Set(ctx, key, v, time.Minute); err != nil {
						errs <- err
						return
					}
					got, err := s.Get(ctx, key)
					if err != nil || !bytes.Equal(got, v) {
						errs <- errors.Join(err, errors.New("read back a different value"))
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func trunc(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

// checkTyped fails unless err is nil or an *kvstore.Error whose Kind is
// one of kvstore's sentinels or errors.ErrUnsupported: the contract that
// lets callers branch on errors.Is.
func checkTyped(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *kvstore.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: %T %v is not a *kvstore.Error", what, err, err)
		return
	}
	for _, k := range []error{kvstore.ErrNotFound, kvstore.ErrUnavailable, kvstore.ErrUnauthorized, kvstore.ErrTooLarge,
		kvstore.ErrTimeout, kvstore.ErrBadKey, kvstore.ErrBadTTL, kvstore.ErrConfig, kvstore.ErrProtocol, errors.ErrUnsupported} {
		if e.Kind == k {
			return
		}
	}
	t.Errorf("%s: error kind %v is not one of kvstore's sentinels", what, e.Kind)
}
