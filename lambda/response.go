package lambda

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/crumbkit/crumb/internal/headerfield"
)

// bufferedWriter collects a handler's response in memory. After an
// abandoned invocation (deadline or panic) the handler goroutine may
// still write; the mutex and the abandoned flag make that harmless.
type bufferedWriter struct {
	mu        sync.Mutex
	header    http.Header
	status    int
	body      bytes.Buffer
	limit     int
	tooLarge  bool
	abandoned bool
	// snapshot is the header as it was when the status was written, as
	// net/http does: later changes to Header() do not reach the client.
	snapshot http.Header
}

func newBufferedWriter(limit int) *bufferedWriter {
	return &bufferedWriter{header: make(http.Header), limit: limit}
}

func (w *bufferedWriter) Header() http.Header { return w.header }

func (w *bufferedWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(code, nil)
}

func (w *bufferedWriter) writeHeaderLocked(code int, first []byte) {
	if w.status != 0 || w.abandoned {
		return
	}
	if !checkWriteHeaderCode(code) {
		return
	}
	w.status = code
	w.snapshot = committedHeader(w.header, code, first)
}

// checkWriteHeaderCode panics on a status net/http would panic on, and
// reports whether code is a final status. 1xx responses cannot be relayed
// through Lambda; net/http sends them and waits for the real status, so
// the writers ignore them.
func checkWriteHeaderCode(code int) bool {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	return code >= 200
}

// committedHeader is the header a response leaves with once its status is
// written: a copy, so later changes to Header() do not reach the client,
// as with net/http; a sniffed Content-Type unless the handler set one or
// suppressed it with a nil entry, as net/http does; every Set-Cookie
// under the canonical key (see foldSetCookie); and net/http's rules for
// the fields it writes (see cleanFields). Every response path, buffered
// and streamed, for every event source, takes its header from here.
func committedHeader(h http.Header, code int, first []byte) http.Header {
	c := h.Clone()
	if c == nil {
		c = make(http.Header)
	}
	cleanFields(c)
	foldSetCookie(c)
	if _, ok := c["Content-Type"]; !ok && len(first) > 0 && bodyAllowed(code) {
		c.Set("Content-Type", http.DetectContentType(first))
	}
	return c
}

// cleanFields applies what net/http's server does to every header field
// it writes, Set-Cookie included: a field whose name is not a valid token
// is dropped, and CR or LF in a value becomes a space (then the value is
// trimmed). Without this a handler echoing input into a header, safe on
// net/http, would let "a\r\nSet-Cookie: x=1" reach the proxy response.
func cleanFields(h http.Header) {
	for k, vs := range h {
		if !headerfield.ValidName(k) {
			delete(h, k)
			continue
		}
		for i, v := range vs {
			vs[i] = headerfield.CleanValue(v)
		}
	}
}

// foldSetCookie moves Set-Cookie values stored under a non-canonical key
// (w.Header()["set-cookie"] = ..., which bypasses Header.Add) to
// "Set-Cookie", so that each one leaves as its own cookie instead of
// being comma-joined like an ordinary header. Values under the canonical
// key come first, then the other spellings in sorted order, so the result
// does not depend on map order.
func foldSetCookie(h http.Header) {
	var other []string
	for k := range h {
		if k != "Set-Cookie" && strings.EqualFold(k, "Set-Cookie") {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	for _, k := range other {
		h["Set-Cookie"] = append(h["Set-Cookie"], h[k]...)
		delete(h, k)
	}
}

func (w *bufferedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(http.StatusOK, p)
	if w.abandoned {
		return 0, ErrDeadline
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.tooLarge || w.body.Len()+len(p) > w.limit {
		// Stop buffering at once so a runaway handler cannot exhaust
		// memory; the response is refused when the handler returns.
		w.tooLarge = true
		return 0, fmt.Errorf("%w (limit %d bytes)", ErrResponseTooLarge, w.limit)
	}
	return w.body.Write(p)
}

// Flush is a no-op: a buffered response leaves in one piece. It exists so
// handlers that assert http.Flusher keep working.
func (w *bufferedWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(http.StatusOK, nil)
}

func (w *bufferedWriter) abandon() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.abandoned = true
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && (status < 100 || status >= 200)
}

// finish settles status and header once the handler has returned.
func (w *bufferedWriter) finish() (int, http.Header, []byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status == 0 {
		w.writeHeaderLocked(http.StatusOK, nil)
	}
	return w.status, w.snapshot, w.body.Bytes(), w.tooLarge
}

// Response shapes. Separate types per source keep keys out of shapes that
// reject them: a top-level "cookies" key makes REST APIs and ALBs answer 502.
type (
	v1Response struct {
		StatusCode        int                 `json:"statusCode"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	v2Response struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Cookies         []string          `json:"cookies,omitempty"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	albResponse struct {
		StatusCode        int                 `json:"statusCode"`
		StatusDescription string              `json:"statusDescription"`
		Headers           map[string]string   `json:"headers,omitempty"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
)

// encodeBody returns the body as JSON can carry it. Text goes as is;
// anything that is not valid UTF-8, or is content-encoded (gzip), goes as
// base64 so no byte is altered.
func encodeBody(h http.Header, body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if h.Get("Content-Encoding") == "" && utf8.Valid(body) && isTextType(h.Get("Content-Type")) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// isTextType reports whether a media type is text. Unknown types are
// treated as binary: base64 is always safe, text is safe only for text.
func isTextType(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	switch {
	case mt == "", strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript",
		"application/x-www-form-urlencoded", "application/ecmascript":
		return true
	}
	return false
}

// encodeResponse renders the finished response for src.
func encodeResponse(src Source, w *bufferedWriter, limit int) ([]byte, error) {
	status, h, body, tooLarge := w.finish()
	if tooLarge {
		return nil, fmt.Errorf("%w: the handler wrote more than %d bytes", ErrResponseTooLarge, limit)
	}
	b, b64 := encodeBody(h, body)
	cookies := h.Values("Set-Cookie")
	var v any
	switch src {
	case SourceAPIGatewayV2, SourceFunctionURL:
		v = v2Response{StatusCode: status, Headers: joinHeaders(h), Cookies: cookies, Body: b, IsBase64Encoded: b64}
	case SourceALBMultiValue:
		v = albResponse{StatusCode: status, StatusDescription: statusDescription(status),
			MultiValueHeaders: multiHeaders(h), Body: b, IsBase64Encoded: b64}
	case SourceALB:
		if len(cookies) > 1 {
			return nil, fmt.Errorf("%w: the handler set %d (cookies %s); enable lambda.multi_value_headers.enabled on the target group",
				ErrSingleValueSetCookie, len(cookies), strings.Join(cookieNames(cookies), ", "))
		}
		hs := joinHeaders(h)
		if len(cookies) == 1 {
			hs["Set-Cookie"] = cookies[0]
		}
		v = albResponse{StatusCode: status, StatusDescription: statusDescription(status),
			Headers: hs, Body: b, IsBase64Encoded: b64}
	default:
		v = v1Response{StatusCode: status, MultiValueHeaders: multiHeaders(h), Body: b, IsBase64Encoded: b64}
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("crumb/lambda: encoding the response: %w", err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("%w: %d bytes encoded, limit %d", ErrResponseTooLarge, len(out), limit)
	}
	return out, nil
}

// joinHeaders flattens headers for single-value shapes, without
// Set-Cookie in any spelling: it never tolerates joining, and the caller
// places each one on its own.
func joinHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 || strings.EqualFold(k, "Set-Cookie") {
			continue
		}
		out[k] = strings.Join(vs, ",")
	}
	return out
}

func multiHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

func statusDescription(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// cookieNames lists the names of Set-Cookie values, never the values.
// A Set-Cookie whose first pair has no "=" is a nameless cookie whose
// text is its value, as browsers read it, so it is listed as "(no name)".
func cookieNames(setCookies []string) []string {
	names := make([]string, 0, len(setCookies))
	for _, sc := range setCookies {
		pair, _, _ := strings.Cut(sc, ";")
		name, _, ok := strings.Cut(pair, "=")
		if name = strings.TrimSpace(name); !ok || name == "" {
			name = "(no name)"
		}
		names = append(names, name)
	}
	return names
}
