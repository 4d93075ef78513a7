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
	// sealer and cookie name must match the origin's; its timeouts need
	// not: the origin seals each session's idle timeout, renewal
	// interval and absolute deadline into the record, and the gate
	// enforces and renews by those, exactly as the origin would. The
	// data type is cookiestore.Raw so that a renewal re-seals the
	// origin's data byte for byte, whatever its fields. FromEnv gives
	// it Codec, which reads and writes what the origin's default
	// JSONCodec does without linking encoding/json.
	Store *cookiestore.Store[cookiestore.Raw]
	// CanRenew says whether Store's sealer can seal. A verify-only
	// sealer (Ed448 public ring) cannot; the origin then renews.
	CanRenew bool
	// Origin is the origin's base URL, such as "https://app.internal",
	// without a trailing slash. The request's path and query are
	// appended.
	Origin string
	// Protected lists path prefixes that need a session, such as
	// "/account/". A prefix matches only at a segment boundary, and
	// ASCII-case-insensitively; each must be canonical (Canonical).
	Protected []string
	// LoginPath is where anonymous requests for protected paths are
	// sent; "/" when empty. It must be a canonical path on this host
	// (Canonical), optionally with a query: New refuses
	// "//evil.example/" and "https://...", which would make the
	// redirect an open one.
	LoginPath string
	// ClientIPHeader names the request header in which the platform in
	// front of the gate puts the client's address ("Cf-Connecting-Ip"
	// on Cloudflare, which sets it on every request and never passes a
	// client's own). The gate then sends the origin X-Forwarded-For with
	// that address alone. Empty (the default): no header is trusted and
	// no X-Forwarded-For is sent; outside Cloudflare (workerd on its
	// own) a client can send Cf-Connecting-Ip itself.
	ClientIPHeader string
	// Timeout bounds the session store calls of one request when the
	// Store has a server-side Backend; zero means no deadline (the
	// cookie-only default does no I/O).
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
	if !loginPathOK(cfg.LoginPath) {
		// The path is configuration, not a secret, but keep errors
		// free of values like the others.
		return nil, loginPathError{}
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
	ctx := context.Background()
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
	// workerd joins repeated Cookie headers with ", " (the Headers
	// API's rule for every header); a crumb value never holds a comma,
	// so a comma separates cookies like "; " does.
	cookieHeader := joinCookies(req.Header.Values("cookie"))

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
		if !IdentitySafe(ident) {
			// It could not reach the origin byte for byte: refused,
			// the request is anonymous.
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

	fwd := make(wasm.Header, 0, len(req.Header)+4)
	for _, f := range req.Header {
		// Also drop "X_Crumb_User" and the like: CGI-style origins
		// (Rack, PHP, WSGI) map '_' and '-' to the same variable.
		if !sameHeader(f.Name, g.cfg.IdentityHeader) && !proxyHeader(f.Name) {
			fwd = append(fwd, f)
		}
	}
	// fetch derives Host from the URL; a client's Host must not steer
	// the origin's virtual hosting.
	fwd.Del("host")
	g.addForwarded(&fwd, req)
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

// IdentitySafe reports whether the gate forwards identity as it is.
// An identity reaches the origin in a header, and a header value is
// not a byte string: proxies and HTTP libraries trim the spaces and
// tabs around it, a comma splits it into a list (workerd joins
// repeated headers with ", ", and frameworks split on commas), and the
// Headers API turns bytes outside ASCII into something else. So the
// gate refuses, and treats as anonymous, an identity that is empty,
// starts or ends with a space or tab, holds a comma, a control
// character or a byte outside printable ASCII: what the origin
// receives is then always exactly what the session said. An origin
// whose identities need more (a display name, a non-ASCII address)
// should put a stable ASCII identifier in the session field the gate
// reads (Config.Identity, IDENTITY_FIELD).
func IdentitySafe(ident string) bool {
	if ident == "" || ident[0] == ' ' || ident[0] == '\t' {
		return false
	}
	if c := ident[len(ident)-1]; c == ' ' || c == '\t' {
		return false
	}
	for i := 0; i < len(ident); i++ {
		if c := ident[i]; c < 0x20 && c != '\t' || c >= 0x7f || c == ',' {
			return false
		}
	}
	return true
}

// joinCookies joins the Cookie header values into one header of
// "name=value" pairs separated by "; ", also splitting at commas.
func joinCookies(values []string) string {
	h := strings.Join(values, "; ")
	if strings.IndexByte(h, ',') < 0 {
		return h
	}
	parts := strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ';' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// proxyHeader reports whether a client's header is one a proxy sets to
// tell the origin who the client is or which URL it asked for: the
// gate is that proxy, so the client's own are dropped. Origins and
// frameworks route on X-Original-URL and X-Rewrite-URL (IIS, Symfony,
// Laravel), derive their own URL from X-Forwarded-Host and -Proto
// (redirects, absolute links, cookie Secure decisions) and trust
// X-Forwarded-For, X-Real-IP and Forwarded for the client's address;
// the method overrides let a GET act as a POST past the gate's view of
// the method.
func proxyHeader(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	if strings.HasPrefix(n, "x-forwarded-") {
		return true
	}
	switch n {
	case "forwarded", "x-original-url", "x-original-uri", "x-rewrite-url", "x-original-host",
		"x-original-method", "x-host", "x-real-ip", "x-client-ip", "true-client-ip", "x-cluster-client-ip",
		"x-http-method-override", "x-http-method", "x-method-override", "x-proxyuser-ip", "client-ip":
		return true
	}
	return false
}

// addForwarded sets the X-Forwarded-* headers the origin may trust,
// from what the gate knows: the host and scheme of the URL the client
// asked for and, when Config.ClientIPHeader names a header the platform
// sets, the client's address.
func (g *Gate) addForwarded(fwd *wasm.Header, req *wasm.Request) {
	scheme, rest, ok := strings.Cut(req.URL, "://")
	if ok && (scheme == "http" || scheme == "https") {
		host := rest
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if host != "" && headerValueOK(host) {
			fwd.Add("x-forwarded-host", host)
		}
		fwd.Add("x-forwarded-proto", scheme)
	}
	if g.cfg.ClientIPHeader == "" {
		return
	}
	if vs := req.Header.Values(g.cfg.ClientIPHeader); len(vs) == 1 && isIP(strings.TrimSpace(vs[0])) {
		fwd.Add("x-forwarded-for", strings.TrimSpace(vs[0]))
	}
}

// headerValueOK: printable ASCII only.
func headerValueOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isIP reports whether s is one IPv4 or IPv6 address in text form
// (no zone, no brackets). It parses by hand: net/netip would add about
// 40 KB gzip to the gate.
func isIP(s string) bool {
	if strings.IndexByte(s, ':') < 0 {
		return isIPv4(s)
	}
	// IPv6: up to eight groups of 1-4 hex digits, at most one "::",
	// optionally ending in an IPv4 address that counts as two groups.
	groups, double := 0, false
	if strings.Contains(s, ":::") || strings.Count(s, "::") > 1 {
		return false
	}
	if strings.HasPrefix(s, "::") {
		s, double = s[2:], true
	} else if strings.HasPrefix(s, ":") {
		return false
	}
	for s != "" {
		i := strings.IndexByte(s, ':')
		part := s
		if i >= 0 {
			part = s[:i]
		}
		if i < 0 && strings.IndexByte(part, '.') >= 0 {
			if !isIPv4(part) {
				return false
			}
			groups += 2
			break
		}
		if len(part) == 0 || len(part) > 4 {
			return false
		}
		for k := 0; k < len(part); k++ {
			if _, ok := unhex(part[k]); !ok {
				return false
			}
		}
		groups++
		if i < 0 {
			break
		}
		s = s[i+1:]
		if strings.HasPrefix(s, ":") {
			double = true
			s = s[1:]
		} else if s == "" {
			return false // a trailing single ':'
		}
	}
	return double && groups < 8 || !double && groups == 8
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 || len(p) > 1 && p[0] == '0' {
			return false
		}
		n := 0
		for k := 0; k < len(p); k++ {
			if p[k] < '0' || p[k] > '9' {
				return false
			}
			n = n*10 + int(p[k]-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

// loginPathOK: a canonical path, and at most a query of printable
// ASCII after it.
func loginPathOK(p string) bool {
	path, query, _ := strings.Cut(p, "?")
	if !Canonical(path) {
		return false
	}
	for i := 0; i < len(query); i++ {
		if c := query[i]; c <= 0x20 || c >= 0x7f || c == '#' || c == '\\' {
			return false
		}
	}
	return true
}

type loginPathError struct{}

func (loginPathError) Error() string {
	return "gate: Config.LoginPath must be a path on this host (a canonical path, optionally with a query): " + ErrPath.Error()
}
func (loginPathError) Unwrap() error { return ErrPath }

func text(status int, body string) *wasm.Response {
	return &wasm.Response{Status: status, Header: wasm.Header{
		{Name: "content-type", Value: "text/plain; charset=utf-8"},
		{Name: "cache-control", Value: "no-store"},
	}, Body: []byte(body)}
}
