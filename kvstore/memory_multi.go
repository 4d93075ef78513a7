package kvstore

import (
	"context"
	"sort"
	"strings"
	"time"
)

// GetMulti implements MultiGetter. The returned slices are copies.
func (m *Memory) GetMulti(ctx context.Context, keys ...string) ([][]byte, error) {
	if err := ctxErr("memory", "get", ctx); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := checkKey("memory", "get", k, k); err != nil {
			return nil, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	out := make([][]byte, len(keys))
	for i, k := range keys {
		el, ok := m.items[k]
		if !ok {
			continue
		}
		e := el.Value.(*memEntry)
		if !now.Before(e.expires) {
			m.remove(el)
			continue
		}
		m.lru.MoveToFront(el)
		out[i] = append([]byte{}, e.value...)
	}
	return out, nil
}

// memberSep joins an index key and a member into the entry that holds
// the member; it cannot occur in the hashes Sessions uses as either.
const memberSep = "\x00"

// AddMember implements UserIndex: the member is an entry of its own,
// under the index key and the member, with the member's TTL, so it
// counts towards the store's bounds and expires like any entry.
func (m *Memory) AddMember(ctx context.Context, key, member string, ttl time.Duration) error {
	if member == "" {
		return newErr("memory", "index", ErrBadKey, 0, "empty member")
	}
	_, err := m.set(ctx, "index", key+memberSep+member, nil, ttl, setAlways)
	return err
}

// Members implements UserIndex by a scan of the keys (this store is for
// development and tests).
func (m *Memory) Members(ctx context.Context, key string) ([]string, error) {
	if err := ctxErr("memory", "members", ctx); err != nil {
		return nil, err
	}
	if err := checkKey("memory", "members", key, key); err != nil {
		return nil, err
	}
	prefix := key + memberSep
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()
	var out []string
	for k, el := range m.items {
		if strings.HasPrefix(k, prefix) && now.Before(el.Value.(*memEntry).expires) {
			out = append(out, k[len(prefix):])
		}
	}
	sort.Strings(out)
	return out, nil
}

// RemoveMember implements UserIndex.
func (m *Memory) RemoveMember(ctx context.Context, key, member string) error {
	return m.Delete(ctx, key+memberSep+member)
}
