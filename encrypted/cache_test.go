package encrypted

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/keys"
)

// These tests look inside the Open cache, so they live in the package.

var (
	cacheT0 = time.Unix(1767225600, 0)
	cacheT1 = cacheT0.Add(time.Hour)
)

func cacheClock(t time.Time) crumb.Option {
	return crumb.WithClock(func() time.Time { return t })
}

func cacheRing(t *testing.T, labels ...string) *keys.Ring {
	t.Helper()
	ks := make([]keys.Key, len(labels))
	for i, l := range labels {
		m := sha256.Sum256([]byte("encrypted cache test " + l))
		k, err := keys.NewKey(m[:])
		if err != nil {
			t.Fatal(err)
		}
		ks[i] = k
	}
	r, err := keys.NewRing(ks...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (c *openCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		if len(sh.index) > cap(sh.slots) {
			n = -1 << 30 // the bound is broken: fail every length check
		}
		n += len(sh.index)
		sh.mu.Unlock()
	}
	return n
}

// has reports whether the cache holds the per-value key of value.
func (c *openCache) has(t *testing.T, value string) bool {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < minLen {
		t.Fatalf("not a value: %q", value)
	}
	k := cacheKey{id: uint32(raw[1])<<24 | uint32(raw[2])<<16 | uint32(raw[3])<<8 | uint32(raw[4])}
	copy(k.salt[:], raw[17:29])
	return c.get(&k) != nil
}

func isSentinel(err error) bool {
	for _, e := range []error{crumb.ErrMalformed, crumb.ErrInvalid, crumb.ErrUnknownKey, crumb.ErrExpired, crumb.ErrWrongName, crumb.ErrTooLarge} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// rawBits is the number of bits in the bytes value encodes.
func rawBits(value string) int { return 8 * (len(value) * 6 / 8) }

func flipBit(value string, bit int) string {
	raw, _ := base64.RawURLEncoding.DecodeString(value)
	raw[bit/8] ^= 1 << (bit % 8)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// TestOpenCacheRefusesWhatDidNotOpen: no value that fails to open, in
// any way, leaves anything in the cache; a genuine one does.
func TestOpenCacheRefusesWhatDidNotOpen(t *testing.T) {
	s := New(cacheRing(t, "a"), cacheClock(cacheT0))
	v, err := s.Seal("sid", []byte(`{"uid":7}`), cacheT1)
	if err != nil {
		t.Fatal(err)
	}
	bits := rawBits(v)
	for bit := range bits {
		if _, err := s.Open("sid", flipBit(v, bit)); err == nil {
			t.Fatalf("bit %d flipped: opened", bit)
		}
	}
	if n := s.cache.len(); n != 0 {
		t.Fatalf("after %d tampered values the cache holds %d entries, want 0", bits, n)
	}
	// A forgery with a fresh salt and a well-formed header.
	raw, _ := base64.RawURLEncoding.DecodeString(v)
	for i := range 100 {
		f := bytes.Clone(raw)
		copy(f[17:29], strconv.Itoa(1000000000+i))
		if _, err := s.Open("sid", base64.RawURLEncoding.EncodeToString(f)); !errors.Is(err, crumb.ErrInvalid) {
			t.Fatalf("forged salt: err = %v, want ErrInvalid", err)
		}
	}
	// Genuine, but for another name, or expired, or not yet valid.
	if _, err := s.Open("other", v); !errors.Is(err, crumb.ErrWrongName) {
		t.Fatalf("other name: err = %v", err)
	}
	late := New(cacheRing(t, "a"), cacheClock(cacheT1.Add(time.Hour)))
	if _, err := late.Open("sid", v); !errors.Is(err, crumb.ErrExpired) {
		t.Fatalf("expired: err = %v", err)
	}
	early := New(cacheRing(t, "a"), cacheClock(cacheT0.Add(-time.Hour)))
	if _, err := early.Open("sid", v); !errors.Is(err, crumb.ErrExpired) {
		t.Fatalf("issued in the future: err = %v", err)
	}
	for _, c := range []*Sealer{s, late, early} {
		if n := c.cache.len(); n != 0 {
			t.Fatalf("cache holds %d entries after values that did not open, want 0", n)
		}
	}
	// Seal neither reads nor fills the cache.
	for range 50 {
		if _, err := s.Seal("sid", []byte("x"), cacheT1); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.cache.len(); n != 0 {
		t.Fatalf("Seal filled the cache: %d entries", n)
	}
	if _, err := s.Open("sid", v); err != nil {
		t.Fatal(err)
	}
	if !s.cache.has(t, v) || s.cache.len() != 1 {
		t.Fatalf("a genuine value did not enter the cache (%d entries)", s.cache.len())
	}
}

// TestOpenCacheWarmBitFlips: with the value's key cached, every single
// bit flip still fails (the hit skips the derivation, not the
// authentication), and the genuine value still opens.
func TestOpenCacheWarmBitFlips(t *testing.T) {
	s := New(cacheRing(t, "a", "b"), cacheClock(cacheT0))
	p := []byte(`{"uid":7,"email":"a@example.com"}`)
	v, err := s.Seal("sid", p, cacheT1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open("sid", v); err != nil {
		t.Fatal(err)
	}
	for bit := range rawBits(v) {
		o, err := s.Open("sid", flipBit(v, bit))
		if err == nil {
			t.Fatalf("bit %d flipped: opened as %q", bit, o.Payload)
		}
		if !isSentinel(err) {
			t.Fatalf("bit %d flipped: error wraps no sentinel: %v", bit, err)
		}
	}
	if n := s.cache.len(); n != 1 {
		t.Fatalf("cache holds %d entries, want 1", n)
	}
	o, err := s.Open("sid", v)
	if err != nil || !bytes.Equal(o.Payload, p) {
		t.Fatalf("genuine value after the flips: %q, %v", o.Payload, err)
	}
}

// TestOpenCacheKeyedByKeyID: two ring keys, one salt. An entry cached
// for the value under one key must not serve the value under the other;
// a cache keyed by the salt alone would fail the second Open.
func TestOpenCacheKeyedByKeyID(t *testing.T) {
	rnd := bytes.Repeat([]byte{0x5a}, 24)
	a, b := cacheRing(t, "a"), cacheRing(t, "b")
	va, err := New(a, cacheClock(cacheT0), crumb.WithRand(bytes.NewReader(rnd))).Seal("sid", []byte("under a"), cacheT1)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := New(b, cacheClock(cacheT0), crumb.WithRand(bytes.NewReader(rnd))).Seal("sid", []byte("under b"), cacheT1)
	if err != nil {
		t.Fatal(err)
	}
	if va[23:39] != vb[23:39] { // base64 of bytes 17..28 lies in characters 23..38
		t.Fatal("the two values do not share their salt")
	}
	s := New(cacheRing(t, "a", "b"), cacheClock(cacheT0))
	for range 2 {
		for _, c := range []struct{ v, want string }{{va, "under a"}, {vb, "under b"}} {
			o, err := s.Open("sid", c.v)
			if err != nil || string(o.Payload) != c.want {
				t.Fatalf("Open = %q, %v; want %q", o.Payload, err, c.want)
			}
		}
	}
	if n := s.cache.len(); n != 2 {
		t.Fatalf("cache holds %d entries, want 2", n)
	}
}

// TestOpenCacheBounded: the cache never holds more than its size, and
// a value opened again and again survives a stream of values opened
// once.
func TestOpenCacheBounded(t *testing.T) {
	for _, size := range []int{1, 3, 8, 10, 64} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			s := New(cacheRing(t, "a"), cacheClock(cacheT0), WithOpenCache(size))
			hot, err := s.Seal("sid", []byte("hot"), cacheT1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 * size {
				if _, err := s.Open("sid", hot); err != nil {
					t.Fatal(err)
				}
				v, err := s.Seal("sid", []byte(strconv.Itoa(i)), cacheT1)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Open("sid", v); err != nil {
					t.Fatal(err)
				}
				if n := s.cache.len(); n > size || n < 0 {
					t.Fatalf("cache holds %d entries, size %d", n, size)
				}
			}
			if n := s.cache.len(); n != size {
				t.Errorf("cache holds %d entries after %d values, want %d", n, 20*size, size)
			}
			// With one slot per shard, the hot value shares its slot
			// with every newcomer of its shard.
			if size >= 2*cacheShards && !s.cache.has(t, hot) {
				t.Error("the value opened on every round was evicted")
			}
		})
	}
}

func TestOpenCacheOff(t *testing.T) {
	s := New(cacheRing(t, "a"), cacheClock(cacheT0), WithOpenCache(0))
	if s.cache != nil {
		t.Fatal("WithOpenCache(0) left a cache")
	}
	v, err := s.Seal("sid", []byte("x"), cacheT1)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if o, err := s.Open("sid", v); err != nil || string(o.Payload) != "x" {
			t.Fatalf("Open = %q, %v", o.Payload, err)
		}
	}
	if New(cacheRing(t, "a")).cache == nil {
		t.Error("the cache is not on by default")
	}
}

// TestOpenCacheConcurrent opens a set of values larger than the cache,
// and forgeries of them, from 8 goroutines (run it under -race).
func TestOpenCacheConcurrent(t *testing.T) {
	s := New(cacheRing(t, "a", "b"), cacheClock(cacheT0), WithOpenCache(16))
	var values []string
	for i := range 40 {
		v, err := s.Seal("sid", []byte(strconv.Itoa(i)), cacheT1)
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, v)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 400 {
				j := (g*7 + i) % len(values)
				o, err := s.Open("sid", values[j])
				if err != nil || string(o.Payload) != strconv.Itoa(j) {
					t.Errorf("Open = %q, %v; want %d", o.Payload, err, j)
					return
				}
				if _, err := s.Open("sid", flipBit(values[j], rawBits(values[j])-1)); err == nil {
					t.Error("a forgery opened")
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := s.cache.len(); n > 16 || n < 0 {
		t.Errorf("cache holds %d entries, size 16", n)
	}
}
