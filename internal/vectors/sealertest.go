package vectors

import (
	"bytes"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
)

// The checks below are the ones every sealer package runs on its own
// sealers; they live here so that each package states only which
// sealers it checks.

// Concurrent seals and opens from 8 goroutines at once with s (run it
// under -race): no state, such as a pooled HMAC, may be shared between
// calls.
func Concurrent(t *testing.T, s crumb.Sealer, expires time.Time, perGoroutine int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGoroutine {
				p := []byte(strconv.Itoa(g*1000 + i))
				v, err := s.Seal("sid", p, expires)
				if err != nil {
					t.Error(err)
					return
				}
				o, err := s.Open("sid", v)
				if err != nil || !bytes.Equal(o.Payload, p) {
					t.Errorf("Open = %q, %v; want %q", o.Payload, err, p)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// AllocsAtMost holds s to at most max allocations per Seal and per Open
// of a 200-byte payload (the target for the sealer layer itself is 4,
// docs/benchmarks.md). Under -race, where sync.Pool drops items at random, it skips.
func AllocsAtMost(t *testing.T, label string, s crumb.Sealer, expires time.Time, max float64) {
	t.Helper()
	if RaceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	payload := bytes.Repeat([]byte("p"), 200)
	v, err := s.Seal("session", payload, expires)
	if err != nil {
		t.Fatal(err)
	}
	seal := testing.AllocsPerRun(200, func() { s.Seal("session", payload, expires) })
	open := testing.AllocsPerRun(200, func() { s.Open("session", v) })
	t.Logf("%s: %.0f allocs/Seal, %.0f allocs/Open (200-byte payload)", label, seal, open)
	if seal > max || open > max {
		t.Errorf("allocs: Seal %.1f, Open %.1f; want at most %.0f each", seal, open, max)
	}
}

// FuzzOpen is the body of every authenticated sealer's fuzz target: Open
// must not panic, must fail with one of crumb's sentinels, and must
// accept nothing but a value sealed for that very name. s must seal the
// same values in every fuzz worker process (fixed clock, and fixed
// randomness for the encrypted sealer), because each worker reruns the
// setup. extra adds sealer-specific garbage seeds.
func FuzzOpen(f *testing.F, s crumb.Sealer, expires time.Time, extra ...string) {
	sealed := map[[2]string]bool{}
	names := []string{"sid", "__Host-session", "a"}
	for i, name := range names {
		for _, p := range []string{"", `{"uid":42}`, "\x00\xff"} {
			v, err := s.Seal(name, []byte(p), expires)
			if err != nil {
				f.Fatal(err)
			}
			sealed[[2]string{name, v}] = true
			f.Add(name, v)
			f.Add(names[(i+1)%len(names)], v)
		}
	}
	f.Add("sid", "")
	for _, v := range extra {
		f.Add("sid", v)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		o, err := s.Open(name, value)
		if err != nil {
			if ErrorName(err) == "" {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if !sealed[[2]string{name, value}] {
			t.Fatalf("forgery accepted: Open(%q, %q) = %q", name, value, o.Payload)
		}
	})
}
