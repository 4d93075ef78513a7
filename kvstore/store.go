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

// ConditionalSetter is implemented by stores with atomic conditional
// writes (Redis SET with XX or NX). Each reports whether it wrote; a
// write that did not happen is not an error. A store that lacks them
// for some configuration (HTTPKV on Cloudflare) returns an error
// wrapping errors.ErrUnsupported.
//
// Sessions uses them so that a session deleted by one request (a
// logout) is never written back by another that loaded it earlier.
type ConditionalSetter interface {
	// SetIfExists stores value under key for ttl only when key exists,
	// in one atomic step: a concurrent Delete either happens after it
	// or makes it write nothing.
	SetIfExists(ctx context.Context, key string, value []byte, ttl time.Duration) (stored bool, err error)
	// SetIfAbsent stores value under key for ttl only when key does
	// not exist, in one atomic step.
	SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (stored bool, err error)
}

// Refresh extends key's lifetime to ttl: with Touch when the store has
// it, otherwise by writing value again (Cloudflare's only way). When
// Touch finds the key gone (deleted, expired or evicted) Refresh returns
// that error, wrapping ErrNotFound, and writes nothing: a refresh must
// not bring back a key that a concurrent Delete removed. The re-put on
// a store without Touch is a blind write; Sessions.Refresh guards it.
func Refresh(ctx context.Context, s Store, key string, value []byte, ttl time.Duration) error {
	if t, ok := s.(Toucher); ok {
		err := t.Touch(ctx, key, ttl)
		if !errors.Is(err, errors.ErrUnsupported) {
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
