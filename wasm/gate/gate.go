package gate

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/wasm"
)

// Config configures a Gate.
type Config struct {
	// Store opens (and, when its sealer can seal, renews) sessions. Its
	// sealer, cookie name and timeouts must match the origin's. The
	// data type is cookiestore.Raw so that a renewal re-seals the
	// origin's data byte for byte, whatever its fields. FromEnv gives
	// it Codec, which reads and writes what the origin's default
	// JSONCodec does without linking encoding/json.
	Store *cookiestore.Store[cookiestore.Raw]
	// CanRenew says whether Store's sealer can seal. A verify-only
	// sealer (Ed448 public ring) cannot; the origin then renews.
	CanRenew bool
	// RenewWithin: the gate renews a session whose sealed expiry is
	// less than this far away, the point where the store's own idle
	// renewal becomes due (IdleTimeout × (1 − RenewFraction)). Checking
	// it first keeps the gate from re-sealing on every request while a
	// flash is pending for the origin. The default matches cookiestore's
	// defaults (18h).
	RenewWithin time.Duration
	// Origin is the origin's base URL, such as "https://app.internal",
	// without a trailing slash. The request's path and query are
	// appended.
	Origin string
	// Protected lists path prefixes that need a session, such as
	// "/account/". A prefix matches only at a segment boundary, and
	// ASCII-case-insensitively; each must be canonical (Canonical).
	Protected []string
	// LoginPath is where anonymous requests for protected paths are
	// sent; "/" when empty.
	LoginPath string
	// Timeout bounds the session store calls of one request when the
	// Store has a server-side Backend or a revocation list; zero means
	// no deadline (the cookie-only default does no I/O).
	Timeout time.Duration
	// IdentityHeader carries the verified identity to the origin;
	// "X-Crumb-User" when empty.
	IdentityHeader string
	// Identity extracts the identity from the session data (the
	// origin's encoded data); an empty result means anonymous. The
	// default reads the top-level string field "email".
	Identity func(data []byte) string
}

// Gate is the edge gate's handler. It is safe for concurrent use.
type Gate struct {
	cfg Config
	// protected holds Config.Protected as match keys, without their
	// trailing slash.
	protected []string
}

// New checks cfg and returns a Gate.
func New(cfg Config) (*Gate, error) {
	if cfg.Store == nil {
		return nil, errors.New("gate: Config.Store is nil")
	}
	if !strings.HasPrefix(cfg.Origin, "http://") && !strings.HasPrefix(cfg.Origin, "https://") {
		return nil, errors.New("gate: Config.Origin must be an http:// or https:// URL")
	}
	cfg.Origin = strings.TrimRight(cfg.Origin, "/")
	if cfg.LoginPath == "" {
		cfg.LoginPath = "/"
	}
	if cfg.RenewWithin <= 0 {
		cfg.RenewWithin = time.Duration(float64(cookiestore.DefaultIdleTimeout) * (1 - cookiestore.DefaultRenewFraction))
	}
	if cfg.IdentityHeader == "" {
		cfg.IdentityHeader = "X-Crumb-User"
	}
	if cfg.Identity == nil {
		cfg.Identity = func(data []byte) string {
			v, _ := StringField(data, "email")
			return v
		}
	}
	g := &Gate{cfg: cfg}
	for _, p := range cfg.Protected {
		if !Canonical(p) {
			// The prefix may be a secret path: name it by position.
			return nil, prefixError(len(g.protected))
		}
		g.protected = append(g.protected, strings.TrimSuffix(matchKey(p), "/"))
	}
	return g, nil
}

// ServeEdge implements wasm.Handler.
func (g *Gate) ServeEdge(req *wasm.Request) *wasm.Response {
	// The engine's backend calls take a context; the cookie-only
	// default backend does no I/O and needs no deadline.
	// The method lets cookiestore.ReadOnlyRequest decide a
	// RevocationFailOpen.
	ctx := cookiestore.WithRequestMethod(context.Background(), req.Method)
	if g.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.cfg.Timeout)
		defer cancel()
	}
	path, query := splitURL(req.URL)
	if !Canonical(path) {
		// Refused before the cookie is read: no 303 that would tell a
		// prober which spellings reach a protected page.
		return text(400, "bad request path\n")
	}
	cookieHeader := strings.Join(req.Header.Values("cookie"), "; ")

	s, err := g.cfg.Store.LoadHeader(ctx, cookieHeader)
	if errors.Is(err, cookiestore.ErrBackend) {
		// The record may exist: do not treat the user as logged out.
		resp := text(503, "session store unavailable\n")
		resp.Header.Add("vary", "Cookie")
		return resp
	}
	// carried: the request had a session cookie, valid or not, so the
	// answer below was chosen by it.
	carried := !errors.Is(err, cookiestore.ErrNoCookie)
	ident := ""
	if !s.IsNew() {
		ident = g.cfg.Identity(s.Data)
		if !headerSafe(ident) {
			ident = ""
		}
	}

	if ident == "" && g.isProtected(path) {
		resp := &wasm.Response{Status: 303, Header: wasm.Header{
			{Name: "location", Value: g.cfg.LoginPath},
			{Name: "cache-control", Value: "no-store"},
			// With a valid session the same URL is forwarded: the
			// answer depends on the cookie even when there is none.
			{Name: "vary", Value: "Cookie"},
		}}
		// A refused cookie is cleared; deleting needs no sealing key.
		if s.IsNew() && err != nil && !errors.Is(err, cookiestore.ErrNoCookie) {
			if lines, cerr := g.cfg.Store.Commit(ctx, s); cerr == nil {
				for _, l := range lines {
					resp.Header.Add("set-cookie", l)
				}
			}
		}
		return resp
	}

	fwd := make(wasm.Header, 0, len(req.Header)+1)
	for _, f := range req.Header {
		// Also drop "X_Crumb_User" and the like: CGI-style origins
		// (Rack, PHP, WSGI) map '_' and '-' to the same variable.
		if !sameHeader(f.Name, g.cfg.IdentityHeader) {
			fwd = append(fwd, f)
		}
	}
	// fetch derives Host from the URL; a client's Host must not steer
	// the origin's virtual hosting.
	fwd.Del("host")
	if ident != "" {
		fwd.Add(g.cfg.IdentityHeader, ident)
	}
	resp := &wasm.Response{Forward: &wasm.Forward{Method: req.Method, URL: g.cfg.Origin + path + query, Header: fwd}}
	// The origin cannot tell that its answer was chosen by the cookie
	// the gate read (it sees an identity header), so the shim makes
	// the response vary on Cookie, and private when authenticated: a
	// shared cache must not hand one user's page to another.
	switch {
	case ident != "":
		resp.Forward.Cache = wasm.CachePrivate
	case carried:
		resp.Forward.Cache = wasm.CacheVaryCookie
	}

	// The lifetime sealed in the session says when a renewal is due,
	// as the origin would judge it.
	if ident != "" && g.cfg.CanRenew && s.RenewalDue() {
		// Keep the flashes for the origin: the gate reads none.
		s.Reflash()
		lines, cerr := g.cfg.Store.Commit(ctx, s)
		if cerr == nil && len(lines) > 0 {
			for _, l := range lines {
				resp.Header.Add("set-cookie", l)
			}
			// The shim merges these into the origin's own headers.
			resp.Forward.Cache = wasm.CacheNoStore
			fwd.Set("cookie", replaceCookies(cookieHeader, lines))
			resp.Forward.Header = fwd
		}
	}
	return resp
}

func (g *Gate) isProtected(path string) bool {
	key := matchKey(path)
	for _, dir := range g.protected {
		if key == dir || strings.HasPrefix(key, dir+"/") {
			return true
		}
	}
	return false
}

// prefixError names the refused protected prefix by its index, wraps
// ErrPath, and keeps fmt out of the gate.
type prefixError int

func (e prefixError) Error() string {
	return "gate: Config.Protected[" + strconv.Itoa(int(e)) + "]: " + ErrPath.Error()
}
func (e prefixError) Unwrap() error { return ErrPath }

// splitURL returns the path (at least "/") and the query with its "?"
// of an absolute URL.
func splitURL(u string) (path, query string) {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		j := strings.IndexAny(u, "/?")
		if j < 0 {
			return "/", ""
		}
		u = u[j:]
	}
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	path, query = u, ""
	if i := strings.IndexByte(u, '?'); i >= 0 {
		path, query = u[:i], u[i:]
	}
	if path == "" {
		path = "/"
	}
	return path, query
}

// replaceCookies returns the Cookie header with the values of the
// cookies that Set-Cookie lines set replaced (or added), and those
// they delete removed, so the origin sees what the client will hold.
func replaceCookies(header string, lines []string) string {
	type kv struct{ k, v string }
	var out []kv
	for _, part := range strings.Split(header, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, kv{k, v})
	}
	for _, l := range lines {
		nv, attrs, _ := strings.Cut(l, ";")
		k, v, _ := strings.Cut(nv, "=")
		del := strings.Contains(strings.ToLower(attrs), "max-age=0") || v == ""
		kept := out[:0]
		for _, c := range out {
			if c.k != k {
				kept = append(kept, c)
			}
		}
		out = kept
		if !del {
			out = append(out, kv{k, v})
		}
	}
	var b strings.Builder
	for i, c := range out {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.k)
		b.WriteByte('=')
		b.WriteString(c.v)
	}
	return b.String()
}

// sameHeader compares header names case-insensitively, treating '_'
// and '-' as equal.
func sameHeader(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if fold(a[i]) != fold(b[i]) {
			return false
		}
	}
	return true
}

func fold(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	case c == '_':
		return '-'
	}
	return c
}

// headerSafe refuses identities that could not travel in a header.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func text(status int, body string) *wasm.Response {
	return &wasm.Response{Status: status, Header: wasm.Header{
		{Name: "content-type", Value: "text/plain; charset=utf-8"},
		{Name: "cache-control", Value: "no-store"},
	}, Body: []byte(body)}
}
