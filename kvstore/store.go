package kvstore

import (
	"context"
	"errors"
	"time"
)

// Store is a key-value store with expiring entries. Implementations are
// safe for concurrent use and honour the context's deadline.
//
// Keys are opaque byte strings of 1 to MaxKeyLen bytes (a store may
// prefix them). Values are opaque bytes; the stores here are binary-safe.
// Errors wrap one of the sentinel errors of this package.
type Store interface {
	// Get returns the value stored under key, or an error wrapping
	// ErrNotFound when there is none (or it expired).
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl, rounded up to whole seconds
	// (and raised to the store's minimum, 60 s on Cloudflare). It is
	// never retried: on an error the write may or may not have happened.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Toucher is implemented by stores that can extend a key's TTL without
// rewriting its value (Redis EXPIRE). Touch returns an error wrapping
// ErrNotFound when the key no longer exists, and one wrapping
// errors.ErrUnsupported when the store has no such operation (Cloudflare
// KV); Refresh falls back to a re-put in that case.
type Toucher interface {
	Touch(ctx context.Context, key string, ttl time.Duration) error
}

// Refresh extends key's lifetime to ttl: with Touch when the store has
// it, otherwise by writing value again (Cloudflare's only way). When the
// key has vanished meanwhile (expired or evicted), it writes value, so a
// live session is not lost to a refresh.
func Refresh(ctx context.Context, s Store, key string, value []byte, ttl time.Duration) error {
	if t, ok := s.(Toucher); ok {
		err := t.Touch(ctx, key, ttl)
		if err == nil || !(errors.Is(err, errors.ErrUnsupported) || errors.Is(err, ErrNotFound)) {
			return err
		}
	}
	return s.Set(ctx, key, value, ttl)
}

// MaxKeyLen is the longest key, prefix included, that any store here
// accepts: Cloudflare KV's limit of 512 bytes.
const MaxKeyLen = 512

// checkKey validates a key, and the full key it makes with a prefix,
// before any network call.
func checkKey(store, op, key, full string) error {
	if key == "" {
		return newErr(store, op, ErrBadKey, 0, "empty key")
	}
	if len(full) > MaxKeyLen {
		return newErr(store, op, ErrBadKey, 0, "key longer than 512 bytes")
	}
	return nil
}

// ttlSeconds rounds ttl up to whole seconds, never below min.
func ttlSeconds(store, op string, ttl time.Duration, min int64) (int64, error) {
	if ttl <= 0 {
		return 0, newErr(store, op, ErrBadTTL, 0, "")
	}
	s := int64(ttl / time.Second)
	if ttl%time.Second != 0 {
		s++
	}
	if s < min {
		s = min
	}
	return s, nil
}
