package kvstore

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// revCache is Revocations' bounded local cache: answers read from the
// store, each reused for at most maxStale, least recently used entries
// dropped beyond max. Keys are hashes (a kind byte, 's' or 'u', then the
// SHA-256 behind the store key), so the cache holds no session ID or
// user name either, and a lookup allocates nothing.
type revCache struct {
	max      int
	maxStale time.Duration

	mu    sync.Mutex
	items map[revKey]*list.Element
	lru   *list.List // front: most recently used
}

// revKey is a cache key: a kind byte and a SHA-256.
type revKey [1 + sha256.Size]byte

func mkKey(kind byte, sum [sha256.Size]byte) revKey {
	var k revKey
	k[0] = kind
	copy(k[1:], sum[:])
	return k
}

type revEntry struct {
	key     revKey
	fetched time.Time
	revoked bool      // for a session ID: revoked (kept whatever its age)
	before  time.Time // for a user: the marker, zero for none
}

func newRevCache(max int, maxStale time.Duration) *revCache {
	return &revCache{max: max, maxStale: maxStale, items: make(map[revKey]*list.Element), lru: list.New()}
}

// fresh reports whether an answer fetched at fetched may still be used
// at now. A clock that went back makes every answer stale.
func (c *revCache) fresh(fetched, now time.Time) bool {
	age := now.Sub(fetched)
	return age >= 0 && age < c.maxStale
}

func (c *revCache) get(key revKey) *revEntry {
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*revEntry)
}

// id returns the cached answer for a session ID hash and whether it can
// be used. A revoked ID stays revoked (until evicted): a revocation is
// never undone before the session's end.
func (c *revCache) id(sum [sha256.Size]byte, now time.Time) (revoked, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.get(mkKey('s', sum))
	if e == nil {
		return false, false
	}
	if e.revoked {
		return true, true
	}
	return false, c.fresh(e.fetched, now)
}

// user returns the cached marker for a user hash and whether it can be
// used.
func (c *revCache) user(sum [sha256.Size]byte, now time.Time) (before time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.get(mkKey('u', sum))
	if e == nil || !c.fresh(e.fetched, now) {
		return time.Time{}, false
	}
	return e.before, true
}

func (c *revCache) putID(sum [sha256.Size]byte, revoked bool, now time.Time) {
	c.put(mkKey('s', sum), func(e *revEntry) {
		// A revoked ID never becomes unrevoked, whatever a stale read
		// racing the revocation says.
		e.revoked = e.revoked || revoked
		e.fetched = now
	})
}

func (c *revCache) putUser(sum [sha256.Size]byte, before, now time.Time) {
	c.put(mkKey('u', sum), func(e *revEntry) {
		// Markers only move forward.
		if before.After(e.before) {
			e.before = before
		}
		e.fetched = now
	})
}

func (c *revCache) put(key revKey, update func(*revEntry)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.get(key)
	if e == nil {
		e = &revEntry{key: key}
		c.items[key] = c.lru.PushFront(e)
		for len(c.items) > c.max {
			old := c.lru.Remove(c.lru.Back()).(*revEntry)
			delete(c.items, old.key)
		}
	}
	update(e)
}

// len returns the number of cached entries (for tests).
func (c *revCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
