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
	// Client sends the requests; NewClient() when nil, except on js/wasm,
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
// Each operation is one request: GET /GET/<key>?type=application/octet-stream,
// PUT /SETEX/<key>/<ttl> with the value as the body, GET /DEL/<key> and
// GET /EXPIRE/<key>/<ttl>. The Webdis ACL needs to allow exactly GET,
// SETEX, DEL and EXPIRE to the configured user.
//
// Values are stored as one format byte (0x01) followed by the value. The
// octet-stream read returns a Redis error reply in-band, as a 200 body
// starting with '-', and Webdis cannot store an empty PUT body; the
// format byte makes both unambiguous.
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
			url:  w.base + "/GET/" + k + "?type=application/octet-stream",
			auth: w.auth, limit: int64(w.maxVal) + 1,
		})
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusNotFound: // Webdis's answer to a nil reply in a typed read
			return nil, newErr("webdis", "get", ErrNotFound, 0, "")
		case status != http.StatusOK:
			return nil, newErr("webdis", "get", statusKind(status), status, "")
		case len(body) > 0 && body[0] == webdisFormat:
			return body[1:], nil
		case len(body) > 0 && body[0] == '-': // a Redis error reply, in-band
			msg := string(body[1:])
			return nil, newErr("webdis", "get", redisErrKind(msg), status, msg)
		default:
			return nil, newErr("webdis", "get", ErrProtocol, status, "value not written by kvstore (unknown format byte)")
		}
	})
}

// Set implements Store: PUT /SETEX/<key>/<seconds> with the value as body.
func (w *Webdis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	k, err := w.key("set", key)
	if err != nil {
		return err
	}
	secs, err := ttlSeconds("webdis", "set", ttl, 1)
	if err != nil {
		return err
	}
	if len(value) > w.maxVal {
		return newErr("webdis", "set", ErrTooLarge, 0, "value over the configured limit")
	}
	body := make([]byte, 0, len(value)+1)
	body = append(append(body, webdisFormat), value...)
	_, err = w.command(ctx, "set", "SETEX", request{
		method: http.MethodPut, url: w.base + "/SETEX/" + k + "/" + strconv.FormatInt(secs, 10),
		body: body, contentType: "application/octet-stream",
	})
	return err
}

// Delete implements Store.
func (w *Webdis) Delete(ctx context.Context, key string) error {
	k, err := w.key("delete", key)
	if err != nil {
		return err
	}
	_, err = w.command(ctx, "delete", "DEL", request{method: http.MethodGet, url: w.base + "/DEL/" + k})
	return err
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
	if string(res) == "0" { // EXPIRE on a missing key
		return newErr("webdis", "touch", ErrNotFound, 0, "")
	}
	return nil
}

// command sends a request whose JSON answer is {"CMD": result} and
// returns result. A Redis error arrives as HTTP 200 with
// {"CMD":[false,"ERR ..."]}; it is turned into an error here.
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
	// A status or error reply is [ok, "message"].
	var st []json.RawMessage
	if json.Unmarshal(res, &st) == nil && len(st) == 2 {
		var good bool
		var msg string
		if json.Unmarshal(st[0], &good) == nil && json.Unmarshal(st[1], &msg) == nil {
			if !good {
				return nil, newErr("webdis", op, redisErrKind(msg), status, msg)
			}
			return res, nil
		}
	}
	return res, nil
}
