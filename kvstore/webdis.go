//go:build !crumb_nohttp

package kvstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// WebdisConfig configures a Webdis client.
type WebdisConfig struct {
	// URL is Webdis's base URL, such as http://127.0.0.1:7379. It must
	// not carry credentials; use Username and Password.
	URL string
	// Username and Password for HTTP Basic auth (Webdis's
	// http_basic_auth ACL). Empty Username sends no Authorization header.
	Username, Password string
	// Prefix is prepended to every key, to share one Redis between
	// applications.
	Prefix string
	// Client sends the requests; NewClient() when nil, except on WebAssembly,
	// where it must be set (wasm/fetchdoer plugs in the runtime's fetch).
	Client Doer
	// MaxValueBytes is the largest value accepted (default 1 MiB).
	// Webdis's own limit is http_max_request_size (128 MiB by default);
	// above it Webdis answers 413, reported as ErrTooLarge.
	MaxValueBytes int
	// ReadRetries is how many times Get is retried after ErrUnavailable
	// (default 1; negative for none). Writes are never retried.
	ReadRetries int
}

// Webdis is a Store talking to Redis through Webdis's HTTP interface.
//
// Each operation is one request: GET /GET/<key>.raw (the reply in
// Redis's own wire format, binary-safe, with a missing key as a nil
// reply), PUT /SETEX/<key>/<ttl> with the value as the body, GET
// /DEL/<key>, GET /EXPIRE/<key>/<ttl>, and for the conditional writes
// POST / with the command SET/<key>/<value>/XX|NX/EX/<ttl> as the body,
// every byte of key and value outside [A-Za-z0-9_-] percent-encoded
// (Webdis appends a PUT body as the last argument, and SET needs the
// value second). The Webdis ACL needs to allow exactly GET, SET, SETEX,
// DEL and EXPIRE to the configured user, plus MGET for Revocations and
// ZADD, ZRANGE and ZREM for the per-user index (UserIndex) when used.
//
// Values are stored as one format byte (0x01) followed by the value, so
// that an empty value is still a PUT body Webdis stores, and a value not
// written by this package is recognised.
type Webdis struct {
	base    string
	user    string
	pass    string
	prefix  string
	client  Doer
	maxVal  int
	retries int
}

// webdisFormat is the byte that starts every value this client writes.
const webdisFormat = 0x01

// NewWebdis returns a Webdis store. It does not contact Webdis.
func NewWebdis(cfg WebdisConfig) (*Webdis, error) {
	base, err := parseBase(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("kvstore: webdis URL: %w", err)
	}
	w := &Webdis{base: base, user: cfg.Username, pass: cfg.Password, prefix: cfg.Prefix,
		client: cfg.Client, maxVal: cfg.MaxValueBytes, retries: cfg.ReadRetries}
	w.client = clientOr(w.client)
	if w.maxVal <= 0 {
		w.maxVal = 1 << 20
	}
	if w.retries == 0 {
		w.retries = 1
	} else if w.retries < 0 {
		w.retries = 0
	}
	return w, nil
}

// parseBase checks a store's base URL and returns it without a trailing
// slash. Credentials in the URL are refused, so they cannot end up in a
// log line that prints the URL.
func parseBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("scheme must be http or https")
	}
	if u.Host == "" {
		return "", fmt.Errorf("no host")
	}
	if u.User != nil {
		return "", fmt.Errorf("credentials must not be in the URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("query and fragment not allowed")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// EncodeWebdisKey percent-encodes every byte of key outside
// [A-Za-z0-9_-]. Webdis decodes %XX in path segments, while a raw '/'
// splits arguments, '+' becomes a space, and a trailing ".json", ".txt"
// or ".raw" is taken as an output format: url.PathEscape leaves all
// three alone.
func EncodeWebdisKey(key string) string { return encodeKey(key) }

// encodeKey is the percent-encoding shared by every store: safe in one
// URL path segment whatever the server does with '+', '.', or '/'.
func encodeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(key) * 3)
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func (w *Webdis) auth(r *http.Request) {
	if w.user != "" {
		r.SetBasicAuth(w.user, w.pass)
	}
}

func (w *Webdis) key(op, key string) (string, error) {
	full := w.prefix + key
	if err := checkKey("webdis", op, key, full); err != nil {
		return "", err
	}
	return encodeKey(full), nil
}

// Get implements Store.
func (w *Webdis) Get(ctx context.Context, key string) ([]byte, error) {
	k, err := w.key("get", key)
	if err != nil {
		return nil, err
	}
	return retryRead(ctx, w.retries, func() ([]byte, error) {
		status, body, err := do(ctx, w.client, request{
			store: "webdis", op: "get", method: http.MethodGet,
			// The .raw suffix cannot come from the key, whose dots are
			// percent-encoded.
			url:  w.base + "/GET/" + k + ".raw",
			auth: w.auth, limit: int64(w.maxVal) + 1 + 32,
		})
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			// Webdis answers a missing key with 200 and a nil reply,
			// so a 404 is not "no such key": it is a URL that does not
			// reach Webdis (a wrong path behind a proxy), ErrConfig.
			return nil, newErr("webdis", "get", statusKind(status), status, "")
		}
		return parseRawGet(body, status)
	})
}

// parseRawGet reads the reply of GET in Redis's wire format (RESP2):
// "$<n>\r\n<n bytes>\r\n", "$-1\r\n" for a missing key, or
// "-<message>\r\n" for an error.
func parseRawGet(body []byte, status int) ([]byte, error) {
	line, rest, ok := bytes.Cut(body, []byte("\r\n"))
	switch {
	case !ok || len(line) == 0:
		return nil, newErr("webdis", "get", ErrProtocol, status, "reply is not in Redis's wire format")
	case line[0] == '-':
		msg := string(line[1:])
		return nil, newErr("webdis", "get", redisErrKind(msg), status, msg)
	case line[0] != '$':
		return nil, newErr("webdis", "get", ErrProtocol, status, "reply is not a string")
	case string(line) == "$-1" && len(rest) == 0:
		return nil, newErr("webdis", "get", ErrNotFound, 0, "")
	}
	n, err := strconv.Atoi(string(line[1:]))
	if err != nil || n < 0 || len(rest) != n+2 || !bytes.HasSuffix(rest, []byte("\r\n")) {
		return nil, newErr("webdis", "get", ErrProtocol, status, "reply length does not match")
	}
	v := rest[:n]
	if n == 0 || v[0] != webdisFormat {
		return nil, newErr("webdis", "get", ErrProtocol, status, "value not written by kvstore (unknown format byte)")
	}
	return v[1:], nil
}

// Set implements Store: PUT /SETEX/<key>/<seconds> with the value as body.
func (w *Webdis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	k, secs, err := w.writeArgs(key, value, ttl)
	if err != nil {
		return err
	}
	body := make([]byte, 0, len(value)+1)
	body = append(append(body, webdisFormat), value...)
	res, err := w.command(ctx, "set", "SETEX", request{
		method: http.MethodPut, url: w.base + "/SETEX/" + k + "/" + strconv.FormatInt(secs, 10),
		body: body, contentType: "application/octet-stream",
	})
	if err != nil {
		return err
	}
	if !isOK(res) {
		return newErr("webdis", "set", ErrProtocol, http.StatusOK, "SETEX did not answer OK")
	}
	return nil
}

// SetIfExists implements ConditionalSetter with SET ... XX EX.
func (w *Webdis) SetIfExists(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return w.setCond(ctx, key, value, ttl, "XX")
}

// SetIfAbsent implements ConditionalSetter with SET ... NX EX.
func (w *Webdis) SetIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return w.setCond(ctx, key, value, ttl, "NX")
}

// setCond sends SET key value XX|NX EX secs as a POSTed command: Webdis
// would append a PUT body after the options, where SET does not take
// its value. The value is percent-encoded like a key, which Webdis
// decodes byte for byte.
func (w *Webdis) setCond(ctx context.Context, key string, value []byte, ttl time.Duration, cond string) (bool, error) {
	k, secs, err := w.writeArgs(key, value, ttl)
	if err != nil {
		return false, err
	}
	var b strings.Builder
	b.Grow(len(k) + 3*len(value) + 40)
	b.WriteString("SET/")
	b.WriteString(k)
	b.WriteString("/%01") // the format byte
	b.WriteString(encodeKey(string(value)))
	b.WriteString("/" + cond + "/EX/")
	b.WriteString(strconv.FormatInt(secs, 10))
	res, err := w.command(ctx, "set", "SET", request{
		method: http.MethodPost, url: w.base + "/", body: []byte(b.String()),
	})
	switch {
	case err != nil:
		return false, err
	case isOK(res):
		return true, nil
	case string(res) == "null": // the condition did not hold
		return false, nil
	}
	return false, newErr("webdis", "set", ErrProtocol, http.StatusOK, "SET answered neither OK nor nil")
}

// writeArgs checks a write's key, TTL and value size before any request.
func (w *Webdis) writeArgs(key string, value []byte, ttl time.Duration) (string, int64, error) {
	k, err := w.key("set", key)
	if err != nil {
		return "", 0, err
	}
	secs, err := ttlSeconds("webdis", "set", ttl, 1)
	if err != nil {
		return "", 0, err
	}
	if len(value) > w.maxVal {
		return "", 0, newErr("webdis", "set", ErrTooLarge, 0, "value over the configured limit")
	}
	return k, secs, nil
}

// isOK reports whether a command's result is Redis's +OK, which Webdis
// renders as [true,"OK"].
func isOK(res json.RawMessage) bool {
	var st []json.RawMessage
	if json.Unmarshal(res, &st) != nil || len(st) != 2 {
		return false
	}
	var good bool
	var msg string
	return json.Unmarshal(st[0], &good) == nil && good && json.Unmarshal(st[1], &msg) == nil && msg == "OK"
}

// intResult parses an integer reply.
func intResult(res json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(string(res), 10, 64)
	return n, err == nil
}

// Delete implements Store.
func (w *Webdis) Delete(ctx context.Context, key string) error {
	k, err := w.key("delete", key)
	if err != nil {
		return err
	}
	res, err := w.command(ctx, "delete", "DEL", request{method: http.MethodGet, url: w.base + "/DEL/" + k})
	if err != nil {
		return err
	}
	if n, ok := intResult(res); !ok || n < 0 {
		return newErr("webdis", "delete", ErrProtocol, http.StatusOK, "DEL did not answer a count")
	}
	return nil
}

// Touch implements Toucher with EXPIRE.
func (w *Webdis) Touch(ctx context.Context, key string, ttl time.Duration) error {
	k, err := w.key("touch", key)
	if err != nil {
		return err
	}
	secs, err := ttlSeconds("webdis", "touch", ttl, 1)
	if err != nil {
		return err
	}
	res, err := w.command(ctx, "touch", "EXPIRE", request{
		method: http.MethodGet, url: w.base + "/EXPIRE/" + k + "/" + strconv.FormatInt(secs, 10),
	})
	if err != nil {
		return err
	}
	switch string(res) {
	case "1":
		return nil
	case "0": // EXPIRE on a missing key
		return newErr("webdis", "touch", ErrNotFound, 0, "")
	}
	return newErr("webdis", "touch", ErrProtocol, http.StatusOK, "EXPIRE answered neither 0 nor 1")
}

// command sends a request whose JSON answer is {"CMD": result} and
// returns result. A Redis error arrives as HTTP 200 with
// {"CMD":[false,"ERR ..."]}; it is turned into an error here. The
// caller checks that result has the shape its command answers.
func (w *Webdis) command(ctx context.Context, op, cmd string, r request) (json.RawMessage, error) {
	r.store, r.op, r.auth, r.limit = "webdis", op, w.auth, 64<<10
	status, body, err := do(ctx, w.client, r)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, newErr("webdis", op, statusKind(status), status, "")
	}
	var reply map[string]json.RawMessage
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, newErr("webdis", op, ErrProtocol, status, "reply is not JSON")
	}
	res, ok := reply[cmd]
	if !ok || len(reply) != 1 {
		return nil, newErr("webdis", op, ErrProtocol, status, "reply does not name the command")
	}
	// An error reply is [false, "message"].
	var st []json.RawMessage
	if json.Unmarshal(res, &st) == nil && len(st) == 2 {
		var good bool
		var msg string
		if json.Unmarshal(st[0], &good) == nil && !good && json.Unmarshal(st[1], &msg) == nil {
			return nil, newErr("webdis", op, redisErrKind(msg), status, msg)
		}
	}
	return res, nil
}
