package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/redis/go-redis/v9"
)

var (
	_ kvstore.MultiGetter = (*Store)(nil)
	_ kvstore.UserIndex   = (*Store)(nil)
)

// GetMulti implements kvstore.MultiGetter with one pipeline of GETs: one
// round trip on a single node; on Redis Cluster, where the keys of a
// revocation check (a session's marker and its user's) live in
// different slots and MGET would fail with CROSSSLOT, go-redis sends one
// pipeline per node, concurrently.
func (s *Store) GetMulti(ctx context.Context, keys ...string) ([][]byte, error) {
	const op = "get"
	full := make([]string, len(keys))
	for i, key := range keys {
		k, err := s.key(op, key)
		if err != nil {
			return nil, err
		}
		full[i] = k
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StringCmd, len(full))
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range full {
			cmds[i] = p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, classify(ctx, op, err)
	}
	out := make([][]byte, len(full))
	for i, c := range cmds {
		v, err := c.Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case err != nil:
			return nil, classify(ctx, op, err)
		case len(v) == 0 || v[0] != format:
			return nil, kvstore.NewError(storeName, op, kvstore.ErrProtocol, "value not written by crumb's stores", nil)
		case len(v)-1 > s.maxVal:
			return nil, kvstore.NewError(storeName, op, kvstore.ErrTooLarge, "stored value over the limit", nil)
		}
		out[i] = v[1:]
	}
	return out, nil
}

// AddMember implements kvstore.UserIndex: ZADD key <expiry> member and
// EXPIRE key kvstore.MaxIndexTTL, pipelined (one key, one slot, one
// round trip). A Redis ACL user needs +zadd +zrange +zrem besides the
// store's commands.
func (s *Store) AddMember(ctx context.Context, key, member string, d time.Duration) error {
	const op = "index"
	k, err := s.key(op, key)
	if err != nil {
		return err
	}
	if member == "" {
		return kvstore.NewError(storeName, op, kvstore.ErrBadKey, "empty member", nil)
	}
	exp, err := ttl(op, d)
	if err != nil {
		return err
	}
	if err := ctxErr(ctx, op); err != nil {
		return err
	}
	_, err = s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, k, redis.Z{Score: float64(time.Now().Add(exp).Unix()), Member: member})
		p.Expire(ctx, k, kvstore.MaxIndexTTL)
		return nil
	})
	if err != nil {
		return classify(ctx, op, err)
	}
	return nil
}

// Members implements kvstore.UserIndex with ZRANGE key 0 -1.
func (s *Store) Members(ctx context.Context, key string) ([]string, error) {
	const op = "members"
	k, err := s.key(op, key)
	if err != nil {
		return nil, err
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	m, err := s.c.ZRange(ctx, k, 0, -1).Result()
	if err != nil {
		return nil, classify(ctx, op, err)
	}
	return m, nil
}

// RemoveMember implements kvstore.UserIndex with ZREM.
func (s *Store) RemoveMember(ctx context.Context, key, member string) error {
	const op = "members"
	k, err := s.key(op, key)
	if err != nil {
		return err
	}
	if member == "" {
		return kvstore.NewError(storeName, op, kvstore.ErrBadKey, "empty member", nil)
	}
	if err := ctxErr(ctx, op); err != nil {
		return err
	}
	if err := s.c.ZRem(ctx, k, member).Err(); err != nil {
		return classify(ctx, op, err)
	}
	return nil
}
