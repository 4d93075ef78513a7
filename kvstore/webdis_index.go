//go:build !crumb_nohttp

package kvstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GetMulti implements MultiGetter with one MGET, read in Redis's wire
// format (GET /MGET/<key>/<key>....raw) like Get. The Webdis ACL must
// allow MGET.
//
// Webdis 0.1.9 leaves the nil replies of missing keys out of that
// array (and its JSON form drops binary values), so one MGET answers
// only when every key exists or none does, the common case of a
// revocation check (a live session of a user never revoked). Otherwise
// GetMulti reads each key with its own GET.
func (w *Webdis) GetMulti(ctx context.Context, keys ...string) ([][]byte, error) {
	vals, err := w.mget(ctx, keys)
	if !errors.Is(err, errAmbiguous) {
		return vals, err
	}
	vals = make([][]byte, len(keys))
	for i, k := range keys {
		v, err := w.Get(ctx, k)
		switch {
		case err == nil:
			vals[i] = v
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return vals, nil
}

// errAmbiguous: MGET's raw reply left out some of the missing keys.
var errAmbiguous = errors.New("kvstore: webdis MGET reply without its nil values")

func (w *Webdis) mget(ctx context.Context, keys []string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString(w.base + "/MGET")
	for _, key := range keys {
		k, err := w.key("get", key)
		if err != nil {
			return nil, err
		}
		b.WriteString("/" + k)
	}
	b.WriteString(".raw")
	return retryRead(ctx, w.retries, func() ([][]byte, error) {
		status, body, err := do(ctx, w.client, request{
			store: "webdis", op: "get", method: http.MethodGet, url: b.String(),
			auth: w.auth, limit: int64(len(keys)) * (int64(w.maxVal) + 1 + 32),
		})
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, newErr("webdis", "get", statusKind(status), status, "")
		}
		return parseRawMGet(body, len(keys), status)
	})
}

// parseRawMGet reads MGET's reply in RESP2: "*<n>\r\n" and n bulk
// strings, "$-1\r\n" for a missing key.
func parseRawMGet(body []byte, n, status int) ([][]byte, error) {
	bad := func(detail string) error { return newErr("webdis", "get", ErrProtocol, status, detail) }
	line, rest, ok := bytes.Cut(body, []byte("\r\n"))
	switch {
	case !ok || len(line) == 0:
		return nil, bad("reply is not in Redis's wire format")
	case line[0] == '-':
		msg := string(line[1:])
		return nil, newErr("webdis", "get", redisErrKind(msg), status, msg)
	case line[0] != '*':
		return nil, bad("reply is not an array")
	}
	if c, err := strconv.Atoi(string(line[1:])); err != nil || c != n {
		return nil, bad("reply has the wrong number of values")
	}
	out := make([][]byte, n)
	for i := range out {
		if len(rest) == 0 {
			if i == 0 {
				return out, nil // every key missing
			}
			return nil, errAmbiguous
		}
		line, rest, ok = bytes.Cut(rest, []byte("\r\n"))
		if !ok || len(line) == 0 || line[0] != '$' {
			return nil, bad("array element is not a string")
		}
		if string(line) == "$-1" {
			continue
		}
		l, err := strconv.Atoi(string(line[1:]))
		if err != nil || l < 0 || len(rest) < l+2 || string(rest[l:l+2]) != "\r\n" {
			return nil, bad("reply length does not match")
		}
		v := rest[:l]
		rest = rest[l+2:]
		if l == 0 || v[0] != webdisFormat {
			return nil, bad("value not written by kvstore (unknown format byte)")
		}
		out[i] = v[1:]
	}
	if len(rest) != 0 {
		return nil, bad("reply has trailing bytes")
	}
	return out, nil
}

// AddMember implements UserIndex: ZADD key <expiry> member, then EXPIRE
// key MaxIndexTTL (two requests; Webdis runs one command per request).
// The Webdis ACL must allow ZADD, ZRANGE and ZREM.
func (w *Webdis) AddMember(ctx context.Context, key, member string, ttl time.Duration) error {
	k, err := w.key("index", key)
	if err != nil {
		return err
	}
	if member == "" {
		return newErr("webdis", "index", ErrBadKey, 0, "empty member")
	}
	secs, err := ttlSeconds("webdis", "index", ttl, 1)
	if err != nil {
		return err
	}
	score := strconv.FormatInt(time.Now().Unix()+secs, 10)
	res, err := w.command(ctx, "index", "ZADD", request{method: http.MethodGet,
		url: w.base + "/ZADD/" + k + "/" + score + "/" + encodeKey(member)})
	if err != nil {
		return err
	}
	if n, ok := intResult(res); !ok || n < 0 {
		return newErr("webdis", "index", ErrProtocol, http.StatusOK, "ZADD did not answer a count")
	}
	res, err = w.command(ctx, "index", "EXPIRE", request{method: http.MethodGet,
		url: w.base + "/EXPIRE/" + k + "/" + strconv.FormatInt(int64(MaxIndexTTL/time.Second), 10)})
	if err != nil {
		return err
	}
	if string(res) != "1" {
		return newErr("webdis", "index", ErrProtocol, http.StatusOK, "EXPIRE of the index did not answer 1")
	}
	return nil
}

// Members implements UserIndex with ZRANGE key 0 -1.
func (w *Webdis) Members(ctx context.Context, key string) ([]string, error) {
	k, err := w.key("members", key)
	if err != nil {
		return nil, err
	}
	res, err := w.command(ctx, "members", "ZRANGE", request{method: http.MethodGet, url: w.base + "/ZRANGE/" + k + "/0/-1"})
	if err != nil {
		return nil, err
	}
	var out []string
	if json.Unmarshal(res, &out) != nil {
		return nil, newErr("webdis", "members", ErrProtocol, http.StatusOK, "ZRANGE did not answer a list of strings")
	}
	return out, nil
}

// RemoveMember implements UserIndex with ZREM.
func (w *Webdis) RemoveMember(ctx context.Context, key, member string) error {
	k, err := w.key("members", key)
	if err != nil {
		return err
	}
	if member == "" {
		return newErr("webdis", "members", ErrBadKey, 0, "empty member")
	}
	res, err := w.command(ctx, "members", "ZREM", request{method: http.MethodGet, url: w.base + "/ZREM/" + k + "/" + encodeKey(member)})
	if err != nil {
		return err
	}
	if n, ok := intResult(res); !ok || n < 0 {
		return newErr("webdis", "members", ErrProtocol, http.StatusOK, "ZREM did not answer a count")
	}
	return nil
}
