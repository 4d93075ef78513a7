package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// info is a cookie session as cookiestore describes it to a Revoker.
func info(user string, created time.Time) cookiestore.SessionInfo {
	return cookiestore.SessionInfo{ID: kvstore.NewSessionID().Encode(), User: user, Created: created, End: created.Add(7 * 24 * time.Hour)}
}

// TestRevocationsOnEachStore: a revoked ID, and a user's sessions
// created before a time, are refused by every Revocations over the same
// store (here without a cache: another server asking now), and nothing
// else is.
func TestRevocationsOnEachStore(t *testing.T) {
	ctx := context.Background()
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			store := st.store(t)
			clk := &clock{now: time.Unix(1_900_000_000, 0)}
			prefix := "rev:" + st.name + ":" + fmt.Sprint(time.Now().UnixNano()) + ":"
			here := kvstore.NewRevocations(store, kvstore.RevocationOptions{Prefix: prefix, Now: clk.Now})
			elsewhere := kvstore.NewRevocations(store, kvstore.RevocationOptions{Prefix: prefix, Now: clk.Now, MaxStale: -1})

			ada := info("ada@example.com", clk.Now().Add(-time.Hour))
			ada2 := info("ada@example.com", clk.Now().Add(-time.Minute))
			bob := info("bob@example.com", clk.Now().Add(-time.Hour))
			anon := info("", clk.Now().Add(-time.Hour))
			for _, s := range []cookiestore.SessionInfo{ada, ada2, bob, anon} {
				for _, r := range []*kvstore.Revocations{here, elsewhere} {
					if err := r.Check(ctx, s); err != nil {
						t.Fatalf("Check of a live session: %v", err)
					}
				}
			}

			// Log out this session.
			if err := here.Revoke(ctx, ada); err != nil {
				t.Fatal(err)
			}
			for name, r := range map[string]*kvstore.Revocations{"here": here, "elsewhere": elsewhere} {
				err := r.Check(ctx, ada)
				if !errors.Is(err, cookiestore.ErrRevoked) {
					t.Fatalf("%s: Check after Revoke: %v, want ErrRevoked", name, err)
				}
				if strings.Contains(err.Error(), ada.ID) || strings.Contains(err.Error(), ada.User) {
					t.Fatalf("error %q names the session or the user", err)
				}
				if err := r.Check(ctx, ada2); err != nil {
					t.Fatalf("%s: the user's other session after Revoke: %v", name, err)
				}
			}

			// Log out everywhere: ada's sessions created before now.
			clk.Add(time.Second)
			if err := elsewhere.RevokeUser(ctx, "ada@example.com", time.Time{}); err != nil {
				t.Fatal(err)
			}
			sameSecond := info("ada@example.com", clk.Now())
			later := info("ada@example.com", clk.Now().Add(time.Second)) // the next login
			for _, s := range []cookiestore.SessionInfo{ada2, sameSecond} {
				if err := elsewhere.Check(ctx, s); !errors.Is(err, cookiestore.ErrRevoked) {
					t.Fatalf("Check of a session created up to RevokeUser's second: %v, want ErrRevoked", err)
				}
			}
			for _, s := range []cookiestore.SessionInfo{later, bob, anon} {
				if err := elsewhere.Check(ctx, s); err != nil {
					t.Fatalf("Check of a session RevokeUser does not cover: %v", err)
				}
			}
			// An earlier time never moves the marker back.
			if err := here.RevokeUser(ctx, "ada@example.com", clk.Now().Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := elsewhere.Check(ctx, ada2); !errors.Is(err, cookiestore.ErrRevoked) {
				t.Fatalf("after an earlier RevokeUser: %v, want still ErrRevoked", err)
			}
			if err := here.RevokeUser(ctx, "", time.Time{}); !errors.Is(err, kvstore.ErrBadKey) {
				t.Fatalf("RevokeUser of no user: %v", err)
			}
		})
	}
}

// TestRevocationKeysAreHashed looks at what Redis holds: no session ID
// and no user name, only hashes, each with a TTL.
func TestRevocationKeysAreHashed(t *testing.T) {
	ctx := context.Background()
	r, w := sharedWebdis(t)
	rev := kvstore.NewRevocations(newWebdis(t, w, nil), kvstore.RevocationOptions{Prefix: "hashed:", UserTTL: time.Hour})
	s := info("carol@example.com", time.Now().Add(-time.Minute))
	s.End = time.Now().Add(90 * time.Second)
	id, _ := kvstore.ParseSessionID(s.ID)
	if err := rev.Revoke(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := rev.RevokeUser(ctx, s.User, time.Time{}); err != nil {
		t.Fatal(err)
	}
	idKey, userKey := "hashed:s:"+id.StoreKey(), "hashed:u:"+kvstore.UserKey(s.User)
	if ttl := redisDo(t, r.Addr, "TTL", idKey); ttl != "90" && ttl != "89" && ttl != "91" {
		t.Fatalf("revoked ID's TTL %v, want the session's remaining 90 s", ttl)
	}
	if ttl := redisDo(t, r.Addr, "TTL", userKey); ttl != "3600" && ttl != "3599" {
		t.Fatalf("user marker's TTL %v, want UserTTL", ttl)
	}
	for _, k := range []string{s.ID, s.User, "carol"} {
		if got := redisDo(t, r.Addr, "EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "*"+k+"*"); got != "0" {
			t.Fatalf("Redis holds a key containing a session ID or user name (%v)", got)
		}
	}
}

// readCounter counts the store reads a Revocations makes.
type readCounter struct {
	kvstore.Store
	reads atomic.Int64
	down  atomic.Bool
}

func (c *readCounter) Get(ctx context.Context, k string) ([]byte, error) {
	c.reads.Add(1)
	if c.down.Load() {
		return nil, &kvstore.Error{Store: "test", Op: "get", Kind: kvstore.ErrUnavailable}
	}
	return c.Store.Get(ctx, k)
}

func (c *readCounter) GetMulti(ctx context.Context, keys ...string) ([][]byte, error) {
	c.reads.Add(1)
	if c.down.Load() {
		return nil, &kvstore.Error{Store: "test", Op: "get", Kind: kvstore.ErrUnavailable}
	}
	return c.Store.(kvstore.MultiGetter).GetMulti(ctx, keys...)
}

func (c *readCounter) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	if c.down.Load() {
		return &kvstore.Error{Store: "test", Op: "set", Kind: kvstore.ErrUnavailable}
	}
	return c.Store.Set(ctx, k, v, ttl)
}

// TestRevocationCacheStaleness: with the cache, checks of a known
// session cost no store read for MaxStale; a revocation made elsewhere
// is seen once the cached answer is MaxStale old, never later, and one
// made through the same Revocations at once. The clock is the test's.
func TestRevocationCacheStaleness(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Unix(1_900_000_000, 0)}
	mem := kvstore.NewMemory(kvstore.MemoryConfig{Now: clk.Now})
	store := &readCounter{Store: mem}
	const maxStale = 10 * time.Second
	cached := kvstore.NewRevocations(store, kvstore.RevocationOptions{MaxStale: maxStale, Now: clk.Now})
	other := kvstore.NewRevocations(mem, kvstore.RevocationOptions{Now: clk.Now})

	s := info("ada@example.com", clk.Now().Add(-time.Hour))
	for i := 0; i < 100; i++ {
		if err := cached.Check(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.reads.Load(); n != 1 {
		t.Fatalf("100 checks within MaxStale made %d store reads, want 1 (one MGET)", n)
	}

	clk.Add(time.Second)
	if err := other.Revoke(ctx, s); err != nil { // on another server
		t.Fatal(err)
	}
	clk.Add(maxStale - time.Second - time.Nanosecond) // the cached answer is just under MaxStale old
	if err := cached.Check(ctx, s); err != nil {
		t.Fatalf("within the staleness bound the cached answer stands: %v", err)
	}
	clk.Add(time.Nanosecond) // exactly MaxStale: the bound
	if err := cached.Check(ctx, s); !errors.Is(err, cookiestore.ErrRevoked) {
		t.Fatalf("at MaxStale after the last read: %v, want ErrRevoked", err)
	}
	// A revoked ID stays revoked without another read.
	reads := store.reads.Load()
	clk.Add(time.Hour)
	if err := cached.Check(ctx, s); !errors.Is(err, cookiestore.ErrRevoked) || store.reads.Load() != reads {
		t.Fatalf("a known revoked ID: %v after %d reads, want ErrRevoked and none", err, store.reads.Load()-reads)
	}

	// The user marker, set elsewhere, is seen within MaxStale too.
	s2 := info("ada@example.com", clk.Now().Add(-time.Minute))
	if err := cached.Check(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if err := other.RevokeUser(ctx, "ada@example.com", time.Time{}); err != nil {
		t.Fatal(err)
	}
	clk.Add(maxStale - time.Nanosecond)
	if err := cached.Check(ctx, s2); err != nil {
		t.Fatalf("user marker within the staleness bound: %v", err)
	}
	clk.Add(time.Nanosecond)
	if err := cached.Check(ctx, s2); !errors.Is(err, cookiestore.ErrRevoked) {
		t.Fatalf("user marker at MaxStale: %v, want ErrRevoked", err)
	}

	// Through the same Revocations: at once, whatever the cache held.
	s3 := info("bob@example.com", clk.Now().Add(-time.Minute))
	if err := cached.Check(ctx, s3); err != nil {
		t.Fatal(err)
	}
	if err := cached.RevokeUser(ctx, "bob@example.com", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := cached.Check(ctx, s3); !errors.Is(err, cookiestore.ErrRevoked) {
		t.Fatalf("own RevokeUser: %v, want ErrRevoked at once", err)
	}

	// A clock that went back makes cached answers stale, not eternal.
	s4 := info("dan@example.com", clk.Now().Add(-time.Minute))
	if err := cached.Check(ctx, s4); err != nil {
		t.Fatal(err)
	}
	reads = store.reads.Load()
	clk.Add(-time.Minute)
	if err := cached.Check(ctx, s4); err != nil || store.reads.Load() != reads+1 {
		t.Fatalf("after the clock went back: %v, %d reads, want a fresh read", err, store.reads.Load()-reads)
	}
}

// TestRevocationCacheBound: the cache never holds more than
// CacheEntries answers; an evicted one costs a read, nothing else.
func TestRevocationCacheBound(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Unix(1_900_000_000, 0)}
	store := &readCounter{Store: kvstore.NewMemory(kvstore.MemoryConfig{Now: clk.Now})}
	rev := kvstore.NewRevocations(store, kvstore.RevocationOptions{CacheEntries: 4, Now: clk.Now})
	var sessions []cookiestore.SessionInfo
	for i := 0; i < 10; i++ {
		s := info("", clk.Now().Add(-time.Minute))
		sessions = append(sessions, s)
		if err := rev.Check(ctx, s); err != nil {
			t.Fatal(err)
		}
		if n := kvstore.RevocationCacheLen(rev); n > 4 {
			t.Fatalf("cache holds %d entries, bound 4", n)
		}
	}
	reads := store.reads.Load()
	if err := rev.Check(ctx, sessions[9]); err != nil || store.reads.Load() != reads {
		t.Fatalf("recent session: %v, %d reads; want a cache hit", err, store.reads.Load()-reads)
	}
	if err := rev.Check(ctx, sessions[0]); err != nil || store.reads.Load() != reads+1 {
		t.Fatalf("evicted session: %v, %d reads; want one read", err, store.reads.Load()-reads)
	}
}

// TestRevocationStoreDown: a store that cannot answer is an error that
// is not ErrRevoked (cookiestore answers 503), and a cached answer older
// than MaxStale is not used in its place.
func TestRevocationStoreDown(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Unix(1_900_000_000, 0)}
	store := &readCounter{Store: kvstore.NewMemory(kvstore.MemoryConfig{Now: clk.Now})}
	rev := kvstore.NewRevocations(store, kvstore.RevocationOptions{Now: clk.Now})
	s := info("ada@example.com", clk.Now().Add(-time.Minute))
	if err := rev.Check(ctx, s); err != nil {
		t.Fatal(err)
	}
	store.down.Store(true)
	clk.Add(kvstore.DefaultMaxStale)
	err := rev.Check(ctx, s)
	if err == nil || errors.Is(err, cookiestore.ErrRevoked) || !errors.Is(err, kvstore.ErrUnavailable) {
		t.Fatalf("Check with the store down: %v, want ErrUnavailable", err)
	}
	if err := rev.Revoke(ctx, s); !errors.Is(err, kvstore.ErrUnavailable) {
		t.Fatalf("Revoke with the store down: %v", err)
	}
}

// TestRevocationsConcurrent runs checks and revocations of overlapping
// sessions and users from many goroutines (run with -race): every
// session revoked before a check started is refused by it.
func TestRevocationsConcurrent(t *testing.T) {
	ctx := context.Background()
	mem := kvstore.NewMemory(kvstore.MemoryConfig{})
	rev := kvstore.NewRevocations(mem, kvstore.RevocationOptions{CacheEntries: 64})
	created := time.Now().Add(-time.Hour)
	var sessions []cookiestore.SessionInfo
	for i := 0; i < 32; i++ {
		sessions = append(sessions, info(fmt.Sprintf("user%d", i%4), created))
	}
	var wg sync.WaitGroup
	var revoked [32]atomic.Bool
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g*7 + i) % 32
				switch i % 10 {
				case 0:
					if err := rev.Revoke(ctx, sessions[k]); err != nil {
						t.Error(err)
						return
					}
					revoked[k].Store(true)
				default:
					was := revoked[k].Load()
					err := rev.Check(ctx, sessions[k])
					if err != nil && !errors.Is(err, cookiestore.ErrRevoked) {
						t.Error(err)
						return
					}
					if was && err == nil {
						t.Error("a session revoked before the check passed it")
						return
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			if err := rev.RevokeUser(ctx, fmt.Sprintf("user%d", i%4), created.Add(-time.Duration(i)*time.Second)); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
}
