//go:build !tinygo && !crumb_nohttp

package cookiestore

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// ctxKey finds a store's request state in a context. Its field makes
// keys of two stores with the same T differ.
type ctxKey[T any] struct{ st *Store[T] }

// reqState is one request's session state inside the middleware. It is
// also the context the handler sees: Value answers the store's key and
// passes every other call to the request's own context. That spares a
// context.WithValue allocation per request, and Deadline, Done and
// cancellation are the parent's, unchanged.
type reqState[T any] struct {
	context.Context
	st     *Store[T]
	header string
	s      *Session[T] // nil until loaded
	// used is set when the handler asked for the session. Only then is
	// it saved: a request that never calls Get (a static file, a
	// favicon) leaves the cookie and the record alone, even when a
	// server-side Backend made the middleware load it early.
	used bool
}

func (rs *reqState[T]) Value(key any) any {
	if k, ok := key.(ctxKey[T]); ok && k.st == rs.st {
		return rs
	}
	return rs.Context.Value(key)
}

func (rs *reqState[T]) session() *Session[T] {
	if rs.s == nil {
		// The Session is allocated here rather than with the request
		// state: requests that never use it stay small.
		s := new(Session[T])
		err := rs.st.loadInto(rs, s, rs.header)
		if err != nil && err != ErrNoCookie {
			rs.st.report(rs, err)
		}
		rs.s = s
	}
	return rs.s
}

// cookieHeader joins the request's Cookie headers (HTTP/2 may send
// several).
func cookieHeader(r *http.Request) string {
	v := r.Header["Cookie"]
	switch len(v) {
	case 0:
		return ""
	case 1:
		return v[0]
	}
	return strings.Join(v, "; ")
}

// Get returns the request's session, loading it on the first call. It
// panics when the request did not pass through this store's
// Middleware, which is a wiring mistake; use FromContext to test.
func (st *Store[T]) Get(ctx context.Context) *Session[T] {
	s, ok := st.FromContext(ctx)
	if !ok {
		panic("cookiestore: Get on a request that did not pass through this store's Middleware")
	}
	return s
}

// FromContext is Get that reports whether the middleware is present.
func (st *Store[T]) FromContext(ctx context.Context) (*Session[T], bool) {
	rs, ok := ctx.Value(ctxKey[T]{st}).(*reqState[T])
	if !ok {
		return nil, false
	}
	rs.used = true
	return rs.session(), true
}

// Load reads the session from r's cookies, without middleware. See
// LoadHeader for the error.
func (st *Store[T]) Load(r *http.Request) (*Session[T], error) {
	return st.LoadHeader(r.Context(), cookieHeader(r))
}

// Save commits s and adds the resulting Set-Cookie lines and cache
// headers to w (as the middleware does; see addHeaders), without
// middleware. Call it before writing the response, and after setting
// any Cache-Control of the handler's own; on error nothing was added
// and the response should not report success.
func (st *Store[T]) Save(ctx context.Context, w http.ResponseWriter, s *Session[T]) error {
	lines, err := st.Commit(ctx, s)
	if err != nil {
		return err
	}
	addHeaders(w.Header(), lines, !s.isNew)
	return nil
}

// addHeaders adds the Set-Cookie lines, and the cache headers of a
// response that used the session. Such a response depends on the
// Cookie header (it may show the session's data, or that there is no
// session), so it always gets "Vary: Cookie". With a Set-Cookie, no
// cache but the client's own may store it (CacheControl). Without one,
// when the session came from the request's cookie, no shared cache may
// (PrivateCacheControl): a cached page with one user's data must not
// reach another. A response of a new session without a Set-Cookie shows
// only what anyone without a session sees, so the handler's
// Cache-Control stands.
func addHeaders(h http.Header, lines []string, fromCookie bool) {
	addVary(h)
	cc := func(f func(string) string) {
		old := strings.Join(h.Values("Cache-Control"), ", ")
		if v := f(old); v != old {
			h.Set("Cache-Control", v)
		}
	}
	switch {
	case len(lines) > 0:
		h["Set-Cookie"] = append(dropCookies(h["Set-Cookie"], lines), lines...)
		cc(CacheControl)
	case fromCookie:
		cc(PrivateCacheControl)
	}
}

// dropCookies removes from have the Set-Cookie lines for the cookies
// that lines set: a second Save in one response replaces what the first
// added, so the response carries one line per cookie (two lines for one
// name are ambiguous, and some proxies refuse them).
func dropCookies(have, lines []string) []string {
	if len(have) == 0 {
		return have
	}
	kept := have[:0:0]
	for _, h := range have {
		dup := false
		for _, l := range lines {
			if cookieName(h) == cookieName(l) {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, h)
		}
	}
	return kept
}

// cookieName is the name a Set-Cookie line sets.
func cookieName(line string) string {
	name, _, _ := strings.Cut(line, "=")
	return strings.TrimSpace(name)
}

// addVary adds "Cookie" to the Vary header unless it is there (or "*").
func addVary(h http.Header) {
	vary := false
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if strings.EqualFold(f, "Cookie") || f == "*" {
				vary = true
			}
		}
	}
	if !vary {
		h.Add("Vary", "Cookie")
	}
}

// Middleware makes the session available to h through Get and saves
// it before the response starts. Bad cookies give a fresh session. A
// failed save replaces the handler's response and goes to OnError,
// since that response would claim a change that did not happen: a
// Backend failure (ErrBackend) gives Options.BackendFailureStatus (503
// by default), a session too large for its cookies (ErrTooLarge) or
// data that does not encode (ErrCodec) gives 500. With a server-side
// Backend, a Backend failure while loading gives
// Options.BackendFailureStatus before the handler runs.
func (st *Store[T]) Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One allocation holds the writer and the request state, which
		// is also the context.
		sw := &responseWriter[T]{rw: w}
		rs := &sw.rs
		rs.Context, rs.st, rs.header = r.Context(), st, cookieHeader(r)
		if st.remote && rs.header != "" {
			// With a server-side backend, an outage must not look like
			// a logged-out user, so load before the handler runs.
			s := rs.session()
			if errors.Is(s.loadErr, ErrBackend) {
				st.failResponse(w, s.loadErr)
				return
			}
		}
		h.ServeHTTP(sw, r.WithContext(rs))
		sw.finish()
	})
}

// failResponse replaces the response after err (from LoadHeader or
// Commit) made it impossible to answer truthfully. It drops every
// header the handler set (a Location or a Set-Cookie would still
// claim success) and says nothing about err, which went to OnError.
func (st *Store[T]) failResponse(w http.ResponseWriter, err error) {
	code, msg := http.StatusInternalServerError, "the session could not be written"
	if errors.Is(err, ErrBackend) {
		code, msg = st.cfg.BackendFailureStatus, "the session store is unavailable; try again later"
	}
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	io.WriteString(w, strconv.Itoa(code)+" "+http.StatusText(code)+": "+msg+"\n")
}

// responseWriter saves the session before the first byte goes out.
type responseWriter[T any] struct {
	rw http.ResponseWriter
	rs reqState[T]

	committed bool // the session was saved (or the attempt failed)
	failed    bool // the save failed; the handler's output is dropped
	hijacked  bool
}

// errResponseReplaced is what the handler's writes return after a
// failed save replaced its response.
var errResponseReplaced = errors.New("cookiestore: response replaced after the session could not be saved")

func (w *responseWriter[T]) commit() {
	if w.committed {
		return
	}
	w.committed = true
	s := w.rs.s
	if s == nil || !w.rs.used {
		return
	}
	lines, err := w.rs.st.Commit(&w.rs, s)
	if err != nil {
		w.rs.st.report(&w.rs, err)
		w.failed = true
		w.rs.st.failResponse(w.rw, err)
		return
	}
	addHeaders(w.rw.Header(), lines, !s.isNew)
}

func (w *responseWriter[T]) Header() http.Header { return w.rw.Header() }

func (w *responseWriter[T]) WriteHeader(code int) {
	// Informational responses (103 Early Hints) precede the real one.
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		if !w.failed {
			w.rw.WriteHeader(code)
		}
		return
	}
	w.commit()
	if w.failed {
		return
	}
	w.rw.WriteHeader(code)
}

func (w *responseWriter[T]) Write(b []byte) (int, error) {
	w.commit()
	if w.failed {
		return 0, errResponseReplaced
	}
	return w.rw.Write(b)
}

// WriteString keeps the underlying writer's WriteString, which saves
// io.WriteString a copy of the string.
func (w *responseWriter[T]) WriteString(s string) (int, error) {
	w.commit()
	if w.failed {
		return 0, errResponseReplaced
	}
	if sw, ok := w.rw.(io.StringWriter); ok {
		return sw.WriteString(s)
	}
	return w.rw.Write([]byte(s))
}

// ReadFrom keeps io.Copy's sendfile path for the underlying writer.
func (w *responseWriter[T]) ReadFrom(r io.Reader) (int64, error) {
	w.commit()
	if w.failed {
		return 0, errResponseReplaced
	}
	if rf, ok := w.rw.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{w.rw}, r)
}

type writerOnly struct{ io.Writer }

func (w *responseWriter[T]) Flush() {
	w.commit()
	if w.failed {
		return
	}
	_ = http.NewResponseController(w.rw).Flush()
}

// FlushError is what http.ResponseController calls.
func (w *responseWriter[T]) FlushError() error {
	w.commit()
	if w.failed {
		return errResponseReplaced
	}
	return http.NewResponseController(w.rw).Flush()
}

// Hijack hands over the connection. The session is not saved: after a
// hijack there is no HTTP response to carry a cookie.
func (w *responseWriter[T]) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.rw).Hijack()
	if err == nil {
		w.hijacked = true
		w.committed = true
	}
	return c, brw, err
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *responseWriter[T]) Unwrap() http.ResponseWriter { return w.rw }

func (w *responseWriter[T]) finish() {
	if w.hijacked || w.failed {
		return
	}
	if !w.committed {
		w.commit()
		return
	}
	if s := w.rs.s; s != nil && w.rs.used && w.rs.st.pending(s) {
		w.rs.st.report(&w.rs, newErr("commit", ErrHeadersSent, "the change was not saved", nil))
	}
}
