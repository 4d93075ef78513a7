package encrypted

import (
	"crypto/cipher"
	"encoding/binary"
	"sync"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/sealopt"
)

// DefaultOpenCache is the number of values whose per-value AES-GCM state
// a Sealer keeps for Open unless WithOpenCache says otherwise. Each entry
// holds about 800 bytes, so a full cache holds under 1 MiB.
const DefaultOpenCache = 1024

// maxOpenCache bounds WithOpenCache.
const maxOpenCache = 1 << 20

// WithOpenCache sets how many values' per-value AES-GCM state the Sealer
// remembers between calls to Open (DefaultOpenCache when not given); 0
// turns the cache off. A session cookie is usually opened on many
// requests before it changes, and building its key schedule and GCM
// tables is most of the cost of Open; a cache hit skips that work, never
// the authentication. WithOpenCache panics if n is negative or above
// 2^20. Other sealers ignore it.
//
// The cache's contract, which docs/FORMAT.md also states:
//   - An entry is keyed by the ring key's ID and the value's 12-byte
//     salt, which together determine the per-value key (K_v): a hit
//     gives exactly the key a fresh derivation would.
//   - An entry is added only after a value has authenticated and is
//     within its validity window, so forged, tampered or expired values
//     never enter it: filling it takes genuine values.
//   - Every Open, hit or not, authenticates the whole value with
//     AES-GCM; a hit only skips the key derivation.
//   - Seal never reads or fills the cache: every seal derives a fresh
//     key from a fresh random salt, so the usage bound of docs/FORMAT.md
//     is unchanged.
//   - It belongs to one Sealer (no state is shared between sealers), is
//     bounded, evicts values that were not opened again first, and is
//     safe for concurrent use.
//
// Whether a salt is in the cache shows in how long Open takes. The salt
// is in the cookie in clear, so this tells an observer only that someone
// recently presented a value they already hold.
func WithOpenCache(n int) crumb.Option {
	if n < 0 || n > maxOpenCache {
		panic("encrypted: WithOpenCache outside [0, 2^20]")
	}
	return func(o *sealopt.Options) { o.OpenCache = n }
}

// cacheShards is the most shards a cache uses, so that concurrent Opens
// rarely wait on one lock.
const cacheShards = 8

// cacheKey names one per-value key: the ring key (by its ID, unique in
// the ring) and the salt it was derived from.
type cacheKey struct {
	id   uint32
	salt [saltLen]byte
}

// openCache maps cacheKeys to the AEAD built from the per-value key. It
// is split into shards by the salt, which is uniformly random for every
// value that can enter; the shard choice needs no secret, since an
// attacker who picks salts only picks which lock a lookup takes.
type openCache struct {
	shards []cacheShard
}

// cacheShard is a fixed-size table with CLOCK eviction: a hit marks its
// slot used; an insertion into a full table sweeps the hand forward,
// clearing marks, and replaces the first slot that was not used since
// the hand last passed. A value opened once is therefore the first to
// go, and a session that keeps coming back stays.
type cacheShard struct {
	mu    sync.Mutex
	index map[cacheKey]int
	slots []cacheSlot // grows up to its capacity, then slots are reused
	hand  int
}

type cacheSlot struct {
	key  cacheKey
	aead cipher.AEAD
	used bool
}

// newOpenCache returns a cache of n entries, or nil for n == 0.
func newOpenCache(n int) *openCache {
	if n <= 0 {
		return nil
	}
	ns := min(n, cacheShards)
	c := &openCache{shards: make([]cacheShard, ns)}
	for i := range c.shards {
		size := n / ns
		if i < n%ns {
			size++
		}
		c.shards[i].index = make(map[cacheKey]int, size)
		c.shards[i].slots = make([]cacheSlot, 0, size)
	}
	return c
}

func (c *openCache) shard(k *cacheKey) *cacheShard {
	return &c.shards[binary.LittleEndian.Uint32(k.salt[:4])%uint32(len(c.shards))]
}

// get returns the AEAD cached under k, or nil.
func (c *openCache) get(k *cacheKey) cipher.AEAD {
	sh := c.shard(k)
	sh.mu.Lock()
	var g cipher.AEAD
	if i, ok := sh.index[*k]; ok {
		sh.slots[i].used = true
		g = sh.slots[i].aead
	}
	sh.mu.Unlock()
	return g
}

// put adds g under k. Callers only add the AEAD of a value that has
// just authenticated.
func (c *openCache) put(k *cacheKey, g cipher.AEAD) {
	sh := c.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.index[*k]; ok {
		return // another Open of the same value got here first
	}
	if len(sh.slots) < cap(sh.slots) {
		sh.index[*k] = len(sh.slots)
		sh.slots = append(sh.slots, cacheSlot{key: *k, aead: g})
		return
	}
	for sh.slots[sh.hand].used {
		sh.slots[sh.hand].used = false
		sh.hand = (sh.hand + 1) % len(sh.slots)
	}
	old := &sh.slots[sh.hand]
	delete(sh.index, old.key)
	*old = cacheSlot{key: *k, aead: g}
	sh.index[*k] = sh.hand
	sh.hand = (sh.hand + 1) % len(sh.slots)
}
