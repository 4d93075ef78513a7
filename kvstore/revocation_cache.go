package kvstore

import (
	"container/list"
	"sync"
	"time"
)

// revCache is Revocations' bounded local cache: answers read from the
// store, each reused for at most maxStale, least recently used entries
// dropped beyond max. Keys are hashes ("s" or "u" then the hex hash), so
// the cache holds no session ID or user name either.
type revCache struct {
	max      int
	maxStale time.Duration

	mu    sync.Mutex
	items map[string]*list.Element
	lru   *list.List // front: most recently used
}

type revEntry struct {
	key     string
	fetched time.Time
	revoked bool      // for a session ID: revoked (kept whatever its age)
	before  time.Time // for a user: the marker, zero for none
}

func newRevCache(max int, maxStale time.Duration) *revCache {
	return &revCache{max: max, maxStale: maxStale, items: make(map[string]*list.Element), lru: list.New()}
}

// fresh reports whether an answer fetched at fetched may still be used
// at now. A clock that went back makes every answer stale.
func (c *revCache) fresh(fetched, now time.Time) bool {
	age := now.Sub(fetched)
	return age >= 0 && age < c.maxStale
}

func (c *revCache) get(key string) *revEntry {
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
func (c *revCache) id(hash string, now time.Time) (revoked, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.get("s" + hash)
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
func (c *revCache) user(hash string, now time.Time) (before time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.get("u" + hash)
	if e == nil || !c.fresh(e.fetched, now) {
		return time.Time{}, false
	}
	return e.before, true
}

func (c *revCache) putID(hash string, revoked bool, now time.Time) {
	c.put("s"+hash, func(e *revEntry) {
		// A revoked ID never becomes unrevoked, whatever a stale read
		// racing the revocation says.
		e.revoked = e.revoked || revoked
		e.fetched = now
	})
}

func (c *revCache) putUser(hash string, before, now time.Time) {
	c.put("u"+hash, func(e *revEntry) {
		// Markers only move forward.
		if before.After(e.before) {
			e.before = before
		}
		e.fetched = now
	})
}

func (c *revCache) put(key string, update func(*revEntry)) {
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
