package kvstore

import (
	"container/heap"
	"container/list"
	"context"
	"sync"
	"time"
)

// MemoryConfig bounds a Memory store. Zero fields take the defaults.
type MemoryConfig struct {
	// MaxEntries is the most keys kept (default 10,000). Beyond it the
	// least recently used entry is evicted.
	MaxEntries int
	// MaxBytes bounds the sum of key and value sizes (default 64 MiB),
	// evicting least recently used entries.
	MaxBytes int64
	// MaxValueBytes is the largest value accepted (default 1 MiB);
	// larger values fail with ErrTooLarge.
	MaxValueBytes int
	// Now is the clock, for tests; time.Now when nil.
	Now func() time.Time
}

// Memory is a bounded, expiring, in-process store for development and
// tests. It is safe for concurrent use. Its data lives only as long as
// the process, and each process has its own: it does not share sessions
// between Lambda instances or edge isolates.
type Memory struct {
	cfg   MemoryConfig
	mu    sync.Mutex
	items map[string]*list.Element
	lru   *list.List // front: most recently used
	exp   expiryHeap // soonest expiry on top
	bytes int64
}

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	hidx    int // index in exp
}

// expiryHeap orders entries by expiry, so expired entries are dropped
// before any live one is evicted, in O(log n).
type expiryHeap []*list.Element

func (h expiryHeap) Len() int { return len(h) }
func (h expiryHeap) Less(i, j int) bool {
	return h[i].Value.(*memEntry).expires.Before(h[j].Value.(*memEntry).expires)
}
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].Value.(*memEntry).hidx = i
	h[j].Value.(*memEntry).hidx = j
}
func (h *expiryHeap) Push(x any) {
	el := x.(*list.Element)
	el.Value.(*memEntry).hidx = len(*h)
	*h = append(*h, el)
}
func (h *expiryHeap) Pop() any {
	old := *h
	el := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return el
}

// NewMemory returns an empty Memory store.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 10_000
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	if cfg.MaxValueBytes <= 0 {
		cfg.MaxValueBytes = 1 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Memory{cfg: cfg, items: make(map[string]*list.Element), lru: list.New()}
}

func entrySize(e *memEntry) int64 { return int64(len(e.key) + len(e.value)) }

// Get implements Store. The returned slice is a copy.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctxErr("memory", "get", ctx); err != nil {
		return nil, err
	}
	if err := checkKey("memory", "get", key, key); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, newErr("memory", "get", ErrNotFound, 0, "")
	}
	e := el.Value.(*memEntry)
	if !m.cfg.Now().Before(e.expires) {
		m.remove(el)
		return nil, newErr("memory", "get", ErrNotFound, 0, "")
	}
	m.lru.MoveToFront(el)
	return append([]byte(nil), e.value...), nil
}

// Set implements Store. It keeps a copy of value.
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := m.set(ctx, "set", key, value, ttl, setAlways)
	return err
}

// SetIfExists implements ConditionalSetter.
func (m *Memory) SetIfExists(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return m.set(ctx, "set", key, value, ttl, setIfExists)
}

// SetIfAbsent implements ConditionalSetter.
func (m *Memory) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return m.set(ctx, "set", key, value, ttl, setIfAbsent)
}

// setMode is the condition of a write.
type setMode int

const (
	setAlways setMode = iota
	setIfExists
	setIfAbsent
)

func (m *Memory) set(ctx context.Context, op, key string, value []byte, ttl time.Duration, mode setMode) (bool, error) {
	if err := ctxErr("memory", op, ctx); err != nil {
		return false, err
	}
	if err := checkKey("memory", op, key, key); err != nil {
		return false, err
	}
	secs, err := ttlSeconds("memory", op, ttl, 1)
	if err != nil {
		return false, err
	}
	if len(value) > m.cfg.MaxValueBytes || int64(len(key)+len(value)) > m.cfg.MaxBytes {
		return false, newErr("memory", op, ErrTooLarge, 0, "value over the configured limit")
	}
	now := m.cfg.Now()
	e := &memEntry{key: key, value: append([]byte(nil), value...), expires: now.Add(time.Duration(secs) * time.Second)}
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if ok && !now.Before(el.Value.(*memEntry).expires) {
		m.remove(el) // expired: as good as absent
		ok = false
	}
	if mode == setIfExists && !ok || mode == setIfAbsent && ok {
		return false, nil
	}
	if ok {
		m.remove(el)
	}
	el = m.lru.PushFront(e)
	m.items[key] = el
	heap.Push(&m.exp, el)
	m.bytes += entrySize(e)
	m.evict()
	return true, nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctxErr("memory", "delete", ctx); err != nil {
		return err
	}
	if err := checkKey("memory", "delete", key, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	return nil
}

// Touch implements Toucher.
func (m *Memory) Touch(ctx context.Context, key string, ttl time.Duration) error {
	if err := ctxErr("memory", "touch", ctx); err != nil {
		return err
	}
	if err := checkKey("memory", "touch", key, key); err != nil {
		return err
	}
	secs, err := ttlSeconds("memory", "touch", ttl, 1)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	now := m.cfg.Now()
	if !ok || !now.Before(el.Value.(*memEntry).expires) {
		if ok {
			m.remove(el)
		}
		return newErr("memory", "touch", ErrNotFound, 0, "")
	}
	e := el.Value.(*memEntry)
	e.expires = now.Add(time.Duration(secs) * time.Second)
	heap.Fix(&m.exp, e.hidx)
	m.lru.MoveToFront(el)
	return nil
}

// Len returns the number of entries held, expired ones included until
// they are next looked at or evicted.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

func (m *Memory) remove(el *list.Element) {
	heap.Remove(&m.exp, el.Value.(*memEntry).hidx)
	e := m.lru.Remove(el).(*memEntry)
	delete(m.items, e.key)
	m.bytes -= entrySize(e)
}

// evict drops every expired entry, soonest first, then least recently
// used entries while a bound is still exceeded. Each drop is O(log n).
func (m *Memory) evict() {
	now := m.cfg.Now()
	for len(m.exp) > 0 && !now.Before(m.exp[0].Value.(*memEntry).expires) {
		m.remove(m.exp[0])
	}
	for len(m.items) > m.cfg.MaxEntries || m.bytes > m.cfg.MaxBytes {
		m.remove(m.lru.Back())
	}
}
