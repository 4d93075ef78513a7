//go:build !crumb_nohttp

package kvstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// indexDialect is what a dialect adds for MultiGetter and UserIndex.
type indexDialect interface {
	mget(ctx context.Context, keys []string) ([][]byte, error)
	addMember(ctx context.Context, key, member string, secs int64) error
	members(ctx context.Context, key string) ([]string, error)
	removeMember(ctx context.Context, key, member string) error
}

// GetMulti implements MultiGetter: one MGET on Upstash. Cloudflare's
// REST API has no read of several keys; there it returns an error
// wrapping errors.ErrUnsupported, and Revocations reads one key at a
// time.
func (h *HTTPKV) GetMulti(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		if k == "" {
			return nil, newErr(h.d.name(), "get", ErrBadKey, 0, "empty key")
		}
		full[i] = h.prefix + k
		if err := h.d.checkKey("get", full[i]); err != nil {
			return nil, err
		}
	}
	d := h.d.(indexDialect)
	return retryRead(ctx, h.retries, func() ([][]byte, error) { return d.mget(ctx, full) })
}

// AddMember implements UserIndex: ZADD and EXPIRE (MaxIndexTTL) on
// Upstash; on Cloudflare KV a key of its own, key + ":" + member, with
// the member's TTL (at least 60 s), which Members finds by prefix.
func (h *HTTPKV) AddMember(ctx context.Context, key, member string, ttl time.Duration) error {
	k, err := h.indexKey("index", key, member)
	if err != nil {
		return err
	}
	secs, err := ttlSeconds(h.d.name(), "index", ttl, h.d.minTTL())
	if err != nil {
		return err
	}
	return h.d.(indexDialect).addMember(ctx, k, member, secs)
}

// Members implements UserIndex: ZRANGE on Upstash, a listing of the keys
// with the prefix key + ":" on Cloudflare KV (eventually consistent,
// like its reads: a new member can take up to a minute to show).
func (h *HTTPKV) Members(ctx context.Context, key string) ([]string, error) {
	k, err := h.indexKey("members", key, "-")
	if err != nil {
		return nil, err
	}
	return h.d.(indexDialect).members(ctx, k)
}

// RemoveMember implements UserIndex.
func (h *HTTPKV) RemoveMember(ctx context.Context, key, member string) error {
	k, err := h.indexKey("members", key, member)
	if err != nil {
		return err
	}
	return h.d.(indexDialect).removeMember(ctx, k, member)
}

// indexKey checks an index key and member, and returns the prefixed key.
func (h *HTTPKV) indexKey(op, key, member string) (string, error) {
	if key == "" || member == "" {
		return "", newErr(h.d.name(), op, ErrBadKey, 0, "empty key or member")
	}
	full := h.prefix + key
	// The longest key the index writes is Cloudflare's key:member.
	if err := h.d.checkKey(op, full+":"+member); err != nil {
		return "", err
	}
	return full, nil
}

// ---------------------------------------------------------------------------
// Upstash

func (u *upstash) mget(ctx context.Context, keys []string) ([][]byte, error) {
	limit := int64(len(keys))*(int64(base64.StdEncoding.EncodedLen(u.maxVal))+8) + 64
	res, err := u.command(ctx, "get", limit, append([]string{"MGET"}, keys...)...)
	if err != nil {
		return nil, err
	}
	var raw []*string
	if json.Unmarshal(res, &raw) != nil || len(raw) != len(keys) {
		return nil, newErr("upstash", "get", ErrProtocol, 0, "MGET did not answer one value per key")
	}
	out := make([][]byte, len(keys))
	for i, s := range raw {
		if s == nil {
			continue
		}
		v, err := base64.StdEncoding.Strict().DecodeString(*s)
		if err != nil {
			return nil, newErr("upstash", "get", ErrProtocol, 0, "value not written by kvstore (not base64)")
		}
		out[i] = v
	}
	return out, nil
}

func (u *upstash) addMember(ctx context.Context, key, member string, secs int64) error {
	score := strconv.FormatInt(time.Now().Unix()+secs, 10)
	res, err := u.command(ctx, "index", 64<<10, "ZADD", key, score, member)
	if err != nil {
		return err
	}
	if n, ok := intResult(res); !ok || n < 0 {
		return newErr("upstash", "index", ErrProtocol, 0, "ZADD did not answer a count")
	}
	res, err = u.command(ctx, "index", 64<<10, "EXPIRE", key, strconv.FormatInt(int64(MaxIndexTTL/time.Second), 10))
	if err != nil {
		return err
	}
	if string(res) != "1" {
		return newErr("upstash", "index", ErrProtocol, 0, "EXPIRE of the index did not answer 1")
	}
	return nil
}

func (u *upstash) members(ctx context.Context, key string) ([]string, error) {
	res, err := u.command(ctx, "members", 1<<20, "ZRANGE", key, "0", "-1")
	if err != nil {
		return nil, err
	}
	var out []string
	if json.Unmarshal(res, &out) != nil {
		return nil, newErr("upstash", "members", ErrProtocol, 0, "ZRANGE did not answer a list of strings")
	}
	return out, nil
}

func (u *upstash) removeMember(ctx context.Context, key, member string) error {
	res, err := u.command(ctx, "members", 64<<10, "ZREM", key, member)
	if err != nil {
		return err
	}
	if n, ok := intResult(res); !ok || n < 0 {
		return newErr("upstash", "members", ErrProtocol, 0, "ZREM did not answer a count")
	}
	return nil
}

// ---------------------------------------------------------------------------
// Cloudflare KV
// https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/keys/methods/list/

func (c *cloudflare) mget(context.Context, []string) ([][]byte, error) {
	return nil, newErr("cloudflare", "get", errors.ErrUnsupported, 0, "Cloudflare KV's REST API reads one key at a time")
}

func (c *cloudflare) addMember(ctx context.Context, key, member string, secs int64) error {
	return c.set(ctx, key+":"+member, []byte{}, secs)
}

func (c *cloudflare) removeMember(ctx context.Context, key, member string) error {
	return c.del(ctx, key+":"+member)
}

// cfMaxListPages bounds one Members call: 100 pages of 1000 keys.
const cfMaxListPages = 100

// members lists the namespace's keys that start with key + ":", page by
// page (GET .../keys?prefix=&limit=1000&cursor=), until the cursor is
// empty.
func (c *cloudflare) members(ctx context.Context, key string) ([]string, error) {
	prefix := key + ":"
	list := strings.TrimSuffix(c.values, "values/") + "keys"
	var out []string
	cursor := ""
	for page := 0; ; page++ {
		if page == cfMaxListPages {
			return nil, newErr("cloudflare", "members", ErrTooLarge, 0, "more than 100 pages of keys under one index")
		}
		q := url.Values{"prefix": {prefix}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, body, err := do(ctx, c.client, request{
			store: "cloudflare", op: "members", method: http.MethodGet,
			url: list + "?" + q.Encode(), auth: c.auth, limit: 4 << 20,
		})
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, cfError("members", status, body)
		}
		var reply struct {
			Success bool `json:"success"`
			Result  []struct {
				Name string `json:"name"`
			} `json:"result"`
			ResultInfo struct {
				Cursor string `json:"cursor"`
			} `json:"result_info"`
		}
		if json.Unmarshal(body, &reply) != nil || !reply.Success {
			return nil, newErr("cloudflare", "members", ErrProtocol, status, "list reply is not Cloudflare's envelope")
		}
		for _, k := range reply.Result {
			if m, ok := strings.CutPrefix(k.Name, prefix); ok && m != "" {
				out = append(out, m)
			}
		}
		if reply.ResultInfo.Cursor == "" {
			return out, nil
		}
		cursor = reply.ResultInfo.Cursor
	}
}
