//go:build !crumb_nohttp

package kvstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// HTTPKV is a Store over a hosted key-value REST API. Two dialects exist:
// Cloudflare Workers KV's REST API (NewCloudflareKV) and Upstash Redis's
// REST API (NewUpstash). Both authenticate with a bearer token, which
// never appears in an error.
type HTTPKV struct {
	d       dialect
	prefix  string
	retries int
}

type dialect interface {
	name() string
	get(ctx context.Context, key string) ([]byte, error)
	set(ctx context.Context, key string, value []byte, secs int64) error
	del(ctx context.Context, key string) error
	touch(ctx context.Context, key string, secs int64) error
	// setCond is SET with XX ("XX") or NX ("NX"); errors.ErrUnsupported
	// where the API has no conditional write.
	setCond(ctx context.Context, key string, value []byte, secs int64, cond string) (bool, error)
	minTTL() int64
	checkKey(op, key string) error
}

// Dialect returns "cloudflare" or "upstash".
func (h *HTTPKV) Dialect() string { return h.d.name() }

// Get implements Store. It is retried on ErrUnavailable as configured.
func (h *HTTPKV) Get(ctx context.Context, key string) ([]byte, error) {
	if key == "" {
		return nil, newErr(h.d.name(), "get", ErrBadKey, 0, "empty key")
	}
	key = h.prefix + key
	if err := h.d.checkKey("get", key); err != nil {
		return nil, err
	}
	return retryRead(ctx, h.retries, func() ([]byte, error) { return h.d.get(ctx, key) })
}

// Set implements Store.
func (h *HTTPKV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if key == "" {
		return newErr(h.d.name(), "set", ErrBadKey, 0, "empty key")
	}
	key = h.prefix + key
	if err := h.d.checkKey("set", key); err != nil {
		return err
	}
	secs, err := ttlSeconds(h.d.name(), "set", ttl, h.d.minTTL())
	if err != nil {
		return err
	}
	return h.d.set(ctx, key, value, secs)
}

// Delete implements Store.
func (h *HTTPKV) Delete(ctx context.Context, key string) error {
	if key == "" {
		return newErr(h.d.name(), "delete", ErrBadKey, 0, "empty key")
	}
	key = h.prefix + key
	if err := h.d.checkKey("delete", key); err != nil {
		return err
	}
	return h.d.del(ctx, key)
}

// Touch implements Toucher: EXPIRE on Upstash. Cloudflare KV has no way
// to change a TTL without rewriting the value, so there Touch returns an
// error wrapping errors.ErrUnsupported and Refresh re-puts the value.
func (h *HTTPKV) Touch(ctx context.Context, key string, ttl time.Duration) error {
	if key == "" {
		return newErr(h.d.name(), "touch", ErrBadKey, 0, "empty key")
	}
	key = h.prefix + key
	if err := h.d.checkKey("touch", key); err != nil {
		return err
	}
	secs, err := ttlSeconds(h.d.name(), "touch", ttl, h.d.minTTL())
	if err != nil {
		return err
	}
	return h.d.touch(ctx, key, secs)
}

// SetIfExists implements ConditionalSetter: SET ... XX EX on Upstash.
// Cloudflare KV has no conditional write; there it returns an error
// wrapping errors.ErrUnsupported.
func (h *HTTPKV) SetIfExists(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return h.setCond(ctx, key, value, ttl, "XX")
}

// SetIfAbsent implements ConditionalSetter: SET ... NX EX on Upstash,
// errors.ErrUnsupported on Cloudflare KV.
func (h *HTTPKV) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return h.setCond(ctx, key, value, ttl, "NX")
}

func (h *HTTPKV) setCond(ctx context.Context, key string, value []byte, ttl time.Duration, cond string) (bool, error) {
	if key == "" {
		return false, newErr(h.d.name(), "set", ErrBadKey, 0, "empty key")
	}
	key = h.prefix + key
	if err := h.d.checkKey("set", key); err != nil {
		return false, err
	}
	secs, err := ttlSeconds(h.d.name(), "set", ttl, h.d.minTTL())
	if err != nil {
		return false, err
	}
	return h.d.setCond(ctx, key, value, secs, cond)
}

func normRetries(n int) int {
	switch {
	case n == 0:
		return 1
	case n < 0:
		return 0
	}
	return n
}

func clientOr(d Doer) Doer {
	if d == nil {
		return defaultDoer()
	}
	return d
}

// ---------------------------------------------------------------------------
// Cloudflare Workers KV REST API
// https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/values/

// CloudflareAPI is the Cloudflare API's base URL.
const CloudflareAPI = "https://api.cloudflare.com/client/v4"

// Cloudflare KV limits, from its documentation.
const (
	CloudflareMaxValue = 25 << 20 // 25 MiB
	CloudflareMinTTL   = 60       // expiration_ttl must be at least 60 seconds
)

// CloudflareConfig configures the Cloudflare KV dialect.
type CloudflareConfig struct {
	// BaseURL is CloudflareAPI when empty; tests point it elsewhere.
	BaseURL string
	// AccountID and NamespaceID name the KV namespace (up to 32
	// characters of [A-Za-z0-9_-], as Cloudflare issues them).
	AccountID, NamespaceID string
	// Token is an API token with Workers KV Storage read and write.
	Token string
	// Prefix is prepended to every key.
	Prefix string
	// Client sends the requests; NewClient() when nil, except on WebAssembly,
	// where it must be set (wasm/fetchdoer plugs in the runtime's fetch).
	Client Doer
	// MaxValueBytes defaults to, and cannot exceed, 25 MiB.
	MaxValueBytes int
	// ReadRetries: see WebdisConfig.
	ReadRetries int
}

type cloudflare struct {
	values string // {base}/accounts/{acct}/storage/kv/namespaces/{ns}/values/
	token  string
	client Doer
	maxVal int
}

// NewCloudflareKV returns an HTTPKV for a Workers KV namespace. Cloudflare
// KV is eventually consistent: a write or delete can take up to 60
// seconds to be seen in other locations (see docs/kvstore.md).
func NewCloudflareKV(cfg CloudflareConfig) (*HTTPKV, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = CloudflareAPI
	}
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("kvstore: cloudflare base URL: %w", err)
	}
	if !isID(cfg.AccountID) || !isID(cfg.NamespaceID) {
		return nil, errors.New("kvstore: cloudflare account and namespace IDs must be 1-32 characters of [A-Za-z0-9_-]")
	}
	if cfg.Token == "" {
		return nil, errors.New("kvstore: cloudflare token is empty")
	}
	if cfg.MaxValueBytes <= 0 || cfg.MaxValueBytes > CloudflareMaxValue {
		cfg.MaxValueBytes = CloudflareMaxValue
	}
	d := &cloudflare{
		values: base + "/accounts/" + cfg.AccountID + "/storage/kv/namespaces/" + cfg.NamespaceID + "/values/",
		token:  cfg.Token, client: clientOr(cfg.Client), maxVal: cfg.MaxValueBytes,
	}
	return &HTTPKV{d: d, prefix: cfg.Prefix, retries: normRetries(cfg.ReadRetries)}, nil
}

func isID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (c *cloudflare) name() string  { return "cloudflare" }
func (c *cloudflare) minTTL() int64 { return CloudflareMinTTL }

func (c *cloudflare) checkKey(op, key string) error {
	if err := checkKey("cloudflare", op, key, key); err != nil {
		return err
	}
	if key == "." || key == ".." { // refused by Cloudflare, and a dot-segment in a URL
		return newErr("cloudflare", op, ErrBadKey, 0, "key cannot be . or ..")
	}
	return nil
}

func (c *cloudflare) auth(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.token) }

// cfEnvelope is Cloudflare's response envelope.
type cfEnvelope struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// cfError turns a non-success answer into an error, naming Cloudflare's
// error codes and messages (which do not echo keys or tokens).
func cfError(op string, status int, body []byte) error {
	var env cfEnvelope
	detail := ""
	if json.Unmarshal(body, &env) == nil && len(env.Errors) > 0 {
		var parts []string
		for _, e := range env.Errors {
			parts = append(parts, strconv.Itoa(e.Code)+" "+e.Message)
		}
		detail = strings.Join(parts, "; ")
	}
	kind := statusKind(status)
	switch {
	case status >= 200 && status < 300:
		kind = ErrProtocol // 2xx with success:false
	case status == http.StatusNotFound && len(env.Errors) == 1 && env.Errors[0].Code == cfKeyNotFound:
		kind = ErrNotFound
	}
	return newErr("cloudflare", op, kind, status, detail)
}

// cfKeyNotFound is the code of Cloudflare's documented answer to a read
// of a missing key: 404 with {"code":10009,"message":"get: 'key not
// found'"}. Any other 404 (code 7003 "Could not route to ...", 10013
// namespace not found, a body that is not Cloudflare's envelope) means
// the account ID, namespace ID or base URL is wrong, which must not pass
// for a missing session: ErrConfig.
const cfKeyNotFound = 10009

func (c *cloudflare) get(ctx context.Context, key string) ([]byte, error) {
	status, body, err := do(ctx, c.client, request{
		store: "cloudflare", op: "get", method: http.MethodGet,
		url: c.values + encodeKey(key), auth: c.auth, limit: int64(c.maxVal),
	})
	if err != nil {
		return nil, err
	}
	if status == http.StatusOK {
		return body, nil // the value itself, not an envelope
	}
	return nil, cfError("get", status, body)
}

func (c *cloudflare) set(ctx context.Context, key string, value []byte, secs int64) error {
	if len(value) > c.maxVal {
		return newErr("cloudflare", "set", ErrTooLarge, 0, "value over the configured limit")
	}
	return c.write(ctx, "set", request{
		method: http.MethodPut,
		url:    c.values + encodeKey(key) + "?expiration_ttl=" + strconv.FormatInt(secs, 10),
		// A raw body is the value; multipart/form-data is only needed
		// for metadata, which sessions do not use.
		body: nonNil(value), contentType: "application/octet-stream",
	})
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (c *cloudflare) del(ctx context.Context, key string) error {
	err := c.write(ctx, "delete", request{method: http.MethodDelete, url: c.values + encodeKey(key)})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (c *cloudflare) touch(context.Context, string, int64) error {
	return newErr("cloudflare", "touch", errors.ErrUnsupported, 0, "Cloudflare KV changes a TTL only by rewriting the value")
}

func (c *cloudflare) setCond(context.Context, string, []byte, int64, string) (bool, error) {
	return false, newErr("cloudflare", "set", errors.ErrUnsupported, 0, "Cloudflare KV has no conditional write")
}

func (c *cloudflare) write(ctx context.Context, op string, r request) error {
	r.store, r.op, r.auth, r.limit = "cloudflare", op, c.auth, 64<<10
	status, body, err := do(ctx, c.client, r)
	if err != nil {
		return err
	}
	var env cfEnvelope
	if status == http.StatusOK && json.Unmarshal(body, &env) == nil && env.Success {
		return nil
	}
	if status == http.StatusOK && json.Unmarshal(body, &env) != nil {
		return newErr("cloudflare", op, ErrProtocol, status, "reply is not JSON")
	}
	return cfError(op, status, body)
}

// ---------------------------------------------------------------------------
// Upstash Redis REST API: POST {url}/ with ["CMD", "arg", ...].
// https://upstash.com/docs/redis/features/restapi

// UpstashConfig configures the Upstash dialect.
type UpstashConfig struct {
	// URL is the database's REST URL (UPSTASH_REDIS_REST_URL).
	URL string
	// Token is the REST token (UPSTASH_REDIS_REST_TOKEN).
	Token string
	// Prefix is prepended to every key.
	Prefix string
	// Client sends the requests; NewClient() when nil, except on WebAssembly,
	// where it must be set (wasm/fetchdoer plugs in the runtime's fetch).
	Client Doer
	// MaxValueBytes is the largest value accepted (default 1 MiB; values
	// travel base64-encoded, a third larger, and Upstash bounds request
	// size per plan).
	MaxValueBytes int
	// ReadRetries: see WebdisConfig.
	ReadRetries int
}

type upstash struct {
	url    string
	token  string
	client Doer
	maxVal int
}

// NewUpstash returns an HTTPKV for an Upstash Redis database. Values are
// stored base64-encoded: the REST API returns strings as JSON text,
// which is not binary-safe.
func NewUpstash(cfg UpstashConfig) (*HTTPKV, error) {
	base, err := parseBase(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("kvstore: upstash URL: %w", err)
	}
	if cfg.Token == "" {
		return nil, errors.New("kvstore: upstash token is empty")
	}
	if cfg.MaxValueBytes <= 0 {
		cfg.MaxValueBytes = 1 << 20
	}
	d := &upstash{url: base + "/", token: cfg.Token, client: clientOr(cfg.Client), maxVal: cfg.MaxValueBytes}
	return &HTTPKV{d: d, prefix: cfg.Prefix, retries: normRetries(cfg.ReadRetries)}, nil
}

func (u *upstash) name() string  { return "upstash" }
func (u *upstash) minTTL() int64 { return 1 }

func (u *upstash) checkKey(op, key string) error {
	if err := checkKey("upstash", op, key, key); err != nil {
		return err
	}
	// Keys travel as JSON strings; invalid UTF-8 would be silently
	// replaced with U+FFFD and address another key.
	if !utf8.ValidString(key) {
		return newErr("upstash", op, ErrBadKey, 0, "key is not valid UTF-8")
	}
	return nil
}

func (u *upstash) auth(r *http.Request) { r.Header.Set("Authorization", "Bearer "+u.token) }

// command posts one command and returns its "result".
func (u *upstash) command(ctx context.Context, op string, limit int64, args ...string) (json.RawMessage, error) {
	body, err := json.Marshal(args)
	if err != nil {
		return nil, newErr("upstash", op, ErrProtocol, 0, "cannot encode command")
	}
	status, resp, err := do(ctx, u.client, request{
		store: "upstash", op: op, method: http.MethodPost, url: u.url,
		body: body, contentType: "application/json", auth: u.auth, limit: limit,
	})
	if err != nil {
		return nil, err
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *string         `json:"error"`
	}
	jsonErr := json.Unmarshal(resp, &reply)
	switch {
	case jsonErr == nil && reply.Error != nil:
		return nil, newErr("upstash", op, upstashErrKind(status, *reply.Error), status, *reply.Error)
	case status != http.StatusOK:
		return nil, newErr("upstash", op, statusKind(status), status, "")
	case jsonErr != nil || reply.Result == nil:
		return nil, newErr("upstash", op, ErrProtocol, status, "reply has no result")
	}
	return reply.Result, nil
}

// upstashErrKind classifies {"error": msg}. Upstash answers a Redis
// error with 400 and the Redis message; the local emulator answers 500
// with "Failed to execute Redis command: <Redis message>", and also 500
// when Redis is unreachable, with a message from its client library.
func upstashErrKind(status int, msg string) error {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return ErrUnauthorized
	}
	m := msg
	if _, after, ok := strings.Cut(m, "command: "); ok {
		m = after
	}
	word, _, _ := strings.Cut(m, " ")
	if word != "" && strings.ToUpper(word) == word && strings.Trim(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return redisErrKind(m) // a Redis error code: ERR, WRONGTYPE, OOM, ...
	}
	if status == http.StatusBadRequest {
		return ErrProtocol
	}
	return statusKind(status)
}

func (u *upstash) get(ctx context.Context, key string) ([]byte, error) {
	limit := int64(base64.StdEncoding.EncodedLen(u.maxVal)) + 64
	res, err := u.command(ctx, "get", limit, "GET", key)
	if err != nil {
		return nil, err
	}
	if string(res) == "null" {
		return nil, newErr("upstash", "get", ErrNotFound, 0, "")
	}
	var s string
	if json.Unmarshal(res, &s) != nil {
		return nil, newErr("upstash", "get", ErrProtocol, 0, "result is not a string")
	}
	v, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, newErr("upstash", "get", ErrProtocol, 0, "value not written by kvstore (not base64)")
	}
	return v, nil
}

func (u *upstash) set(ctx context.Context, key string, value []byte, secs int64) error {
	if len(value) > u.maxVal {
		return newErr("upstash", "set", ErrTooLarge, 0, "value over the configured limit")
	}
	res, err := u.command(ctx, "set", 64<<10, "SET", key, base64.StdEncoding.EncodeToString(value), "EX", strconv.FormatInt(secs, 10))
	if err != nil {
		return err
	}
	if string(res) != `"OK"` {
		return newErr("upstash", "set", ErrProtocol, 0, "SET did not answer OK")
	}
	return nil
}

func (u *upstash) setCond(ctx context.Context, key string, value []byte, secs int64, cond string) (bool, error) {
	if len(value) > u.maxVal {
		return false, newErr("upstash", "set", ErrTooLarge, 0, "value over the configured limit")
	}
	res, err := u.command(ctx, "set", 64<<10, "SET", key, base64.StdEncoding.EncodeToString(value), cond, "EX", strconv.FormatInt(secs, 10))
	switch {
	case err != nil:
		return false, err
	case string(res) == `"OK"`:
		return true, nil
	case string(res) == "null": // the condition did not hold
		return false, nil
	}
	return false, newErr("upstash", "set", ErrProtocol, 0, "SET answered neither OK nor null")
}

func (u *upstash) del(ctx context.Context, key string) error {
	res, err := u.command(ctx, "delete", 64<<10, "DEL", key)
	if err != nil {
		return err
	}
	if n, ok := intResult(res); !ok || n < 0 {
		return newErr("upstash", "delete", ErrProtocol, 0, "DEL did not answer a count")
	}
	return nil
}

func (u *upstash) touch(ctx context.Context, key string, secs int64) error {
	res, err := u.command(ctx, "touch", 64<<10, "EXPIRE", key, strconv.FormatInt(secs, 10))
	if err != nil {
		return err
	}
	switch string(res) {
	case "1":
		return nil
	case "0":
		return newErr("upstash", "touch", ErrNotFound, 0, "")
	}
	return newErr("upstash", "touch", ErrProtocol, 0, "EXPIRE answered neither 0 nor 1")
}
