package wasm

import (
	"bytes"
	"errors"
	"strconv"
)

// The worker bridge passes a fetch event between the JavaScript shim and
// Go as one byte frame, not a JSON envelope: the shim builds it with
// string concatenation and one TextEncoder call, and Go parses it with no
// reflection. Every line ends in LF; header names and values cannot hold
// LF (the Headers API refuses them, and AppendResponse checks).
//
//	request  = method SP url LF headers LF body
//	response = status LF headers LF body
//	forward  = "F" SP method SP url [SP cache] LF headers LF headers LF
//	cache    = "vary-cookie" / "private" / "no-store"
//	headers  = *(name ":" value LF)
//
// A forward frame asks the shim to send the incoming request on to url
// with the first header list (the complete set to send) and its original
// body, and to return the origin's answer with the second header list
// appended (Set-Cookie lines, say) and its caching headers adjusted as
// cache says (see Cache). A shim that meets a cache word it does not
// know fails the request rather than serve the origin's headers as
// they are. docs/edge.md has examples.

// ErrFrame is returned, wrapped, for a frame that does not parse.
var ErrFrame = errors.New("wasm: malformed bridge frame")

// ErrHeader is returned by the Append functions for a header, method,
// URL or status that would not survive the trip into JavaScript intact
// (a line break in a value, a non-token name, a status outside
// 200..599, which a Workers Response cannot carry), or an unknown
// Forward.Cache. The bridge answers 500 rather than pass it on.
var ErrHeader = errors.New("wasm: header, method, URL or status not representable")

// Field is one header line. Names from the shim are lower case, as the
// Headers API gives them.
type Field struct{ Name, Value string }

// Header is an ordered list of header lines. Repeated names stay
// separate entries, which is what keeps every Set-Cookie its own header.
type Header []Field

// Get returns the first value for name, compared case-insensitively,
// or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if equalFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns every value for name, in order.
func (h Header) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if equalFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Add appends a line.
func (h *Header) Add(name, value string) { *h = append(*h, Field{name, value}) }

// Del removes every line for name.
func (h *Header) Del(name string) {
	out := (*h)[:0]
	for _, f := range *h {
		if !equalFold(f.Name, name) {
			out = append(out, f)
		}
	}
	clear((*h)[len(out):])
	*h = out
}

// Set replaces every line for name with one.
func (h *Header) Set(name, value string) {
	h.Del(name)
	h.Add(name, value)
}

// Clone returns a copy that can be changed without touching h.
func (h Header) Clone() Header { return append(Header(nil), h...) }

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Request is an incoming fetch event, or a fetch Go asks the host to
// make.
type Request struct {
	Method string
	URL    string // absolute, as the runtime's Request.url gives it
	Header Header
	// Body is nil unless the handler asked for bodies (worker Options)
	// and the request had one.
	Body []byte
}

// Response is a handler's answer. When Forward is set, Status and Body
// are ignored: the host sends the request on, and Header is appended to
// the origin's response.
type Response struct {
	Status  int
	Header  Header
	Body    []byte
	Forward *Forward
}

// Forward sends the incoming request on to an origin.
type Forward struct {
	Method string
	URL    string
	// Header is the complete set of request headers to send: start
	// from a Clone of the incoming ones and remove what the origin must
	// not see.
	Header Header
	// Cache is what the shim does to the origin's Vary and
	// Cache-Control before the client (and any shared cache between
	// it and the edge) sees them. Set it whenever the edge's decision
	// depended on the request's cookies: the origin cannot know that
	// its answer was chosen by a cookie the edge read.
	Cache Cache
}

// Cache says how the shim adjusts a forwarded response's caching
// headers. Each level above CacheAsIs merges "Cookie" into the origin's
// Vary (unless Vary is "*" or already names it), keeping the names the
// origin listed.
type Cache uint8

const (
	// CacheAsIs leaves the origin's headers alone: the request carried
	// no session cookie and the edge added no identity.
	CacheAsIs Cache = iota
	// CacheVaryCookie only merges Cookie into Vary: the request carried
	// a session cookie the edge refused, so the answer was still chosen
	// by the cookie.
	CacheVaryCookie
	// CachePrivate also applies cookiestore.PrivateCacheControl to the
	// origin's Cache-Control (kept when it has private or no-store,
	// else "private" first, public and s-maxage dropped): the origin
	// answered an authenticated request.
	CachePrivate
	// CacheNoStore also applies cookiestore.CacheControl (kept when it
	// has private or no-store, else "private, no-store"): the edge adds
	// a Set-Cookie of its own.
	CacheNoStore
)

// word is the cache field of the forward frame; "" for CacheAsIs.
func (c Cache) word() (string, bool) {
	switch c {
	case CacheAsIs:
		return "", true
	case CacheVaryCookie:
		return "vary-cookie", true
	case CachePrivate:
		return "private", true
	case CacheNoStore:
		return "no-store", true
	}
	return "", false
}

// Handler answers a fetch event. It must not keep req after returning.
type Handler interface {
	ServeEdge(req *Request) *Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(*Request) *Response

// ServeEdge calls f.
func (f HandlerFunc) ServeEdge(req *Request) *Response { return f(req) }

// DecodeRequest parses a request frame. Body aliases frame.
func DecodeRequest(frame []byte) (*Request, error) {
	line, rest, ok := cutLine(frame)
	if !ok {
		return nil, ErrFrame
	}
	method, url, ok := bytes.Cut(line, []byte{' '})
	if !ok || len(method) == 0 || len(url) == 0 {
		return nil, ErrFrame
	}
	h, rest, err := readHeaders(rest)
	if err != nil {
		return nil, err
	}
	r := &Request{Method: string(method), URL: string(url), Header: h}
	if len(rest) > 0 {
		r.Body = rest
	}
	return r, nil
}

// AppendRequest appends r's frame to b.
func AppendRequest(b []byte, r *Request) ([]byte, error) {
	if !isToken(r.Method) || !isURL(r.URL) {
		return b, ErrHeader
	}
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.URL...)
	b = append(b, '\n')
	b, err := appendHeaders(b, r.Header)
	if err != nil {
		return b, err
	}
	b = append(b, '\n')
	return append(b, r.Body...), nil
}

// DecodeResponse parses a response frame (not a forward frame). Body
// aliases frame.
func DecodeResponse(frame []byte) (*Response, error) {
	line, rest, ok := cutLine(frame)
	if !ok || len(line) != 3 {
		return nil, ErrFrame
	}
	status, err := strconv.Atoi(string(line))
	if err != nil || status < 200 || status > 599 {
		return nil, ErrFrame
	}
	h, rest, err := readHeaders(rest)
	if err != nil {
		return nil, err
	}
	r := &Response{Status: status, Header: h}
	if len(rest) > 0 {
		r.Body = rest
	}
	return r, nil
}

// AppendResponse appends r's frame to b: a forward frame when r.Forward
// is set, else a response frame.
func AppendResponse(b []byte, r *Response) ([]byte, error) {
	if f := r.Forward; f != nil {
		word, ok := f.Cache.word()
		if !ok || !isToken(f.Method) || !isURL(f.URL) {
			return b, ErrHeader
		}
		b = append(b, "F "...)
		b = append(b, f.Method...)
		b = append(b, ' ')
		b = append(b, f.URL...)
		if word != "" {
			b = append(b, ' ')
			b = append(b, word...)
		}
		b = append(b, '\n')
		b, err := appendHeaders(b, f.Header)
		if err != nil {
			return b, err
		}
		b = append(b, '\n')
		b, err = appendHeaders(b, r.Header)
		if err != nil {
			return b, err
		}
		return append(b, '\n'), nil
	}
	if r.Status < 200 || r.Status > 599 {
		return b, ErrHeader
	}
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, '\n')
	b, err := appendHeaders(b, r.Header)
	if err != nil {
		return b, err
	}
	b = append(b, '\n')
	return append(b, r.Body...), nil
}

func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, nil, false
	}
	return b[:i], b[i+1:], true
}

// readHeaders reads header lines up to and including the empty line.
func readHeaders(b []byte) (Header, []byte, error) {
	var h Header
	for {
		line, rest, ok := cutLine(b)
		if !ok {
			return nil, nil, ErrFrame
		}
		b = rest
		if len(line) == 0 {
			return h, b, nil
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 {
			return nil, nil, ErrFrame
		}
		h = append(h, Field{string(name), string(value)})
	}
}

func appendHeaders(b []byte, h Header) ([]byte, error) {
	for _, f := range h {
		if !isToken(f.Name) || !isValue(f.Value) {
			return b, ErrHeader
		}
		b = append(b, f.Name...)
		b = append(b, ':')
		b = append(b, f.Value...)
		b = append(b, '\n')
	}
	return b, nil
}

// isToken reports whether s is an RFC 9110 token, the syntax of header
// names and methods.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}

// isValue refuses the bytes the Headers API refuses (NUL, CR, LF), which
// are also the ones that could split a line of the frame.
func isValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' {
			return false
		}
	}
	return true
}

func isURL(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
