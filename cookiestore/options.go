package cookiestore

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// SameSite is the cookie's SameSite attribute.
type SameSite int

const (
	// SameSiteDefault is Lax.
	SameSiteDefault SameSite = iota
	SameSiteLax
	SameSiteStrict
	// SameSiteNone sends the cookie on cross-site requests too; it
	// requires Secure, so it cannot be combined with InsecureHTTP.
	SameSiteNone
)

func (s SameSite) attr() string {
	switch s {
	case SameSiteStrict:
		return "Strict"
	case SameSiteNone:
		return "None"
	default:
		return "Lax"
	}
}

// Defaults applied by New to zero fields of Options.
const (
	DefaultIdleTimeout     = 24 * time.Hour
	DefaultAbsoluteTimeout = 7 * 24 * time.Hour
	DefaultRenewFraction   = 0.25
	// DefaultRememberIdle and DefaultRememberAbsolute are the
	// lifetime of a remembered session (Session.Remember(true)) when
	// Options.Remember leaves them zero: 30 days without a visit, and
	// a new login every 90 days however active.
	DefaultRememberIdle     = 30 * 24 * time.Hour
	DefaultRememberAbsolute = 90 * 24 * time.Hour
	// MaxTimeout caps IdleTimeout and AbsoluteTimeout: 400 days, the
	// longest cookie lifetime browsers keep (RFC 6265bis caps Max-Age
	// there; Chrome does). It also keeps every expiry inside the times
	// a sealer can seal (up to 2106).
	MaxTimeout = 400 * 24 * time.Hour
	// MaxCookieLine is the longest Set-Cookie value (name, value and
	// attributes) this package emits; browsers drop longer cookies.
	MaxCookieLine = 4096
	// MaxChunksLimit caps Options.MaxChunks.
	MaxChunksLimit = 8
	// DefaultBackendFailureStatus is 503 Service Unavailable: a
	// backend outage is temporary, and the client may retry.
	DefaultBackendFailureStatus = 503
)

// Options configures a Store. The zero value is a safe production
// setup: a __Host-session cookie, HttpOnly, Secure, SameSite=Lax,
// Path=/, a 24-hour idle timeout and a 7-day absolute lifetime.
type Options[T any] struct {
	// Name is the cookie name. The default is "__Host-session", or
	// "session" when the __Host- prefix is not allowed (InsecureHTTP,
	// a Domain, or a Path other than "/"). A __Host- name requires
	// Secure, Path=/ and no Domain; a __Secure- name requires Secure.
	Name string
	// Path defaults to "/".
	Path string
	// Domain is empty by default (host-only cookie).
	Domain string
	// SameSite defaults to Lax.
	SameSite SameSite
	// Partitioned adds the Partitioned attribute (CHIPS) for cookies
	// used in third-party embeds. It requires Secure.
	Partitioned bool
	// InsecureHTTP drops the Secure attribute so the cookie works on
	// plain http://localhost during development. Never set it in
	// production: the session then travels in clear text.
	InsecureHTTP bool

	// IdleTimeout is how long a session survives without a request
	// that uses it: every such request keeps it valid for at least
	// IdleTimeout more. It slides without re-sealing the cookie on
	// every request: the cookie is re-issued at most once per
	// RenewFraction of IdleTimeout, and sealed to last IdleTimeout
	// plus that renewal interval, so an idle session ends between
	// IdleTimeout and IdleTimeout×(1+RenewFraction) after its last
	// request. It must be between 1s and MaxTimeout, and at most
	// AbsoluteTimeout: an IdleTimeout above DefaultAbsoluteTimeout
	// needs an explicit AbsoluteTimeout (New refuses it otherwise
	// rather than raise the absolute lifetime silently). Both are
	// counted in whole seconds.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after it was created
	// (or regenerated), however active. It must be at least
	// IdleTimeout and at most MaxTimeout. A session whose absolute
	// lifetime ends while a request uses it is cleared on that
	// response (see Store.Commit).
	AbsoluteTimeout time.Duration
	// RenewFraction is the part of IdleTimeout after which an unchanged
	// session is re-issued to slide its expiry. It must be in (0, 1];
	// the default is 0.25. Larger values re-issue less often and let
	// an idle session outlive IdleTimeout by more (see IdleTimeout);
	// they never end an active session early.
	RenewFraction float64
	// BrowserSession leaves Max-Age off the cookie, so the browser
	// forgets it when it closes (Adonis's clearWithBrowser). The
	// timeouts above still apply inside the token. Session.Remember
	// overrides it per session.
	BrowserSession bool
	// Remember is the lifetime of a session the handler marks with
	// Session.Remember(true) ("remember me" at login): a persistent
	// cookie with these timeouts. Session.Remember(false) makes a
	// browser-session cookie with IdleTimeout and AbsoluteTimeout.
	// A session on which Remember is never called follows
	// IdleTimeout, AbsoluteTimeout and BrowserSession.
	Remember RememberOptions

	// MaxChunks, when 2 or more, lets a session that does not fit one
	// 4096-byte Set-Cookie line be split across up to MaxChunks
	// cookies (name, name.1, name.2, ...). At most MaxChunksLimit. The
	// default (0) refuses an oversized session with ErrTooLarge. The
	// sealer's own value limit (crumb.WithMaxValueLen, 16 KiB by
	// default) still applies to the whole value.
	//
	// The names name.1 to name.(MaxChunks-1) are then reserved for the
	// store: it reads them after a first cookie that fills its line,
	// and expires any beside a cookie that does not (stale chunks of a
	// larger session). A store that does not chunk never reads nor
	// expires cookies named name.N.
	MaxChunks int

	// Codec encodes the session record; JSONCodec by default. A
	// program built with the crumb_nojson tag has no default and must
	// set it.
	Codec Codec
	// NewData fills the Data of a new session (no cookie, a refused
	// one, or after Destroy), like hattip's defaultSessionData: set
	// defaults there. A new session whose Data is still what NewData
	// left is not saved, so a request that only reads the defaults
	// sends no Set-Cookie. It is called once per new session and may
	// differ between calls. When T is a map type, Data is an empty
	// map before NewData runs (and after a record holding null is
	// loaded), so a first write never panics on a nil map.
	NewData func(data *T)
	// Validate checks session data after it is decoded, with the
	// request's context (for a lookup with its deadline, or values the
	// application put there); an error starts a fresh session and is
	// reported to OnError wrapped in ErrRejected. Use it for anything
	// a signed-only (client-readable) or unsigned cookie carries.
	Validate func(ctx context.Context, data *T) error
	// BeforeSave runs in Commit just before a session is saved
	// (changed, renewed, re-sealed or forced; not when nothing is
	// sent), like koa's beforeSave: it may change the session (stamp
	// Data, add a flash) and what it leaves is saved. An error stops
	// the save: Commit returns it wrapped in ErrRejected (the
	// middleware answers 500 and reports it to OnError), without its
	// text, which may quote the data.
	BeforeSave func(ctx context.Context, s *Session[T]) error
	// OnEvent receives what happens to sessions: created, renewed,
	// regenerated, destroyed, rotated (re-sealed under the primary
	// key) and refused (a cookie not used, with the reason). An Event
	// holds no ID, data, cookie or key material, so it can go to a log
	// as it is; in the net/http build it is a slog.LogValuer:
	//
	//	OnEvent: func(ctx context.Context, e cookiestore.Event) {
	//		slog.InfoContext(ctx, "session", "event", e)
	//	},
	//
	// It runs synchronously in the request and must be safe for
	// concurrent use.
	OnEvent func(ctx context.Context, e Event)
	// Backend keeps the records; nil keeps them inside the cookie.
	Backend Backend
	// BackendFailureStatus is the HTTP status the middleware answers,
	// instead of the handler's response, when the Backend fails to
	// load, save or delete a record (ErrBackend): 503 Service
	// Unavailable when zero. It must be a 5xx status, because such a
	// response must neither look like a success nor blame the client.
	// The body is a short plain-text message without error details;
	// the error itself goes to OnError.
	BackendFailureStatus int
	// OnError receives errors that do not reach the handler: why a
	// cookie was refused, a failed save, a change after the headers
	// were sent. It must be safe for concurrent use. Errors never hold
	// key material or a cookie value.
	OnError func(ctx context.Context, err error)
	// Now is the clock; time.Now by default. Give the sealer the same
	// clock (crumb.WithClock) in tests.
	Now func() time.Time
}

// RememberOptions is the lifetime of a remembered session. Zero
// fields take DefaultRememberIdle and DefaultRememberAbsolute; the
// rules of IdleTimeout and AbsoluteTimeout apply (an Idle above
// DefaultRememberAbsolute needs an explicit Absolute).
type RememberOptions struct {
	// Idle: how long a remembered session survives without a request.
	Idle time.Duration
	// Absolute: how long after login (creation or Regenerate) a
	// remembered session ends, however active.
	Absolute time.Duration
}

// config is the validated form of Options.
type config[T any] struct {
	Options[T]
	// lives are the lifetimes a new session (def) and a remembered
	// one (remember) get, in whole seconds.
	lives lives
	attrs string // "; Path=/; HttpOnly; Secure; SameSite=Lax" ...
	// deleteAttrs is everything after "name=" in a deleting Set-Cookie.
	deleteAttrs string
}

func configErr(detail string) error { return newErr("new", ErrConfig, detail, nil) }

func (o Options[T]) validate() (config[T], error) {
	c := config[T]{Options: o}
	if c.Path == "" {
		c.Path = "/"
	}
	secure := !c.InsecureHTTP
	if c.Name == "" {
		if secure && c.Path == "/" && c.Domain == "" {
			c.Name = "__Host-session"
		} else {
			c.Name = "session"
		}
	}
	if err := checkName(c.Name); err != nil {
		return c, err
	}
	if !strings.HasPrefix(c.Path, "/") || !attrSafe(c.Path) {
		return c, configErr("Path must start with / and hold no control characters or ';'")
	}
	if c.Domain != "" && (!attrSafe(c.Domain) || strings.ContainsAny(c.Domain, " /")) {
		return c, configErr("Domain holds a character a cookie domain cannot have")
	}
	if hasPrefixFold(c.Name, "__Host-") {
		if !secure || c.Path != "/" || c.Domain != "" {
			return c, configErr("a __Host- cookie requires Secure (no InsecureHTTP), Path=/ and no Domain")
		}
	}
	if hasPrefixFold(c.Name, "__Secure-") && !secure {
		return c, configErr("a __Secure- cookie requires Secure (no InsecureHTTP)")
	}
	if c.SameSite < SameSiteDefault || c.SameSite > SameSiteNone {
		return c, configErr("unknown SameSite value")
	}
	if c.SameSite == SameSiteNone && !secure {
		return c, configErr("SameSite=None requires Secure (no InsecureHTTP)")
	}
	if c.Partitioned && !secure {
		return c, configErr("Partitioned requires Secure (no InsecureHTTP)")
	}
	var err error
	if c.IdleTimeout, c.AbsoluteTimeout, err = timeouts(c.IdleTimeout, c.AbsoluteTimeout, DefaultIdleTimeout, DefaultAbsoluteTimeout, "IdleTimeout", "AbsoluteTimeout"); err != nil {
		return c, err
	}
	if c.Remember.Idle, c.Remember.Absolute, err = timeouts(c.Remember.Idle, c.Remember.Absolute, DefaultRememberIdle, DefaultRememberAbsolute, "Remember.Idle", "Remember.Absolute"); err != nil {
		return c, err
	}
	if c.RenewFraction == 0 {
		c.RenewFraction = DefaultRenewFraction
	}
	if !(c.RenewFraction > 0 && c.RenewFraction <= 1) {
		return c, configErr("RenewFraction must be in (0, 1]")
	}
	c.lives.def = newLifetime(c.IdleTimeout, c.AbsoluteTimeout, c.RenewFraction, c.BrowserSession)
	c.lives.remember = newLifetime(c.Remember.Idle, c.Remember.Absolute, c.RenewFraction, false)
	c.lives.forget = newLifetime(c.IdleTimeout, c.AbsoluteTimeout, c.RenewFraction, true)
	if c.MaxChunks < 0 || c.MaxChunks > MaxChunksLimit {
		return c, configErr("MaxChunks must be between 0 and " + strconv.Itoa(MaxChunksLimit))
	}
	if c.MaxChunks == 1 {
		c.MaxChunks = 0
	}
	if c.Codec == nil {
		var ok bool
		if c.Codec, ok = defaultCodec(); !ok {
			return c, configErr("Codec is required: the crumb_nojson build tag leaves out the default JSON codec")
		}
	}
	if c.Backend == nil {
		c.Backend = cookieBackend{}
	}
	if c.BackendFailureStatus == 0 {
		c.BackendFailureStatus = DefaultBackendFailureStatus
	}
	if c.BackendFailureStatus < 500 || c.BackendFailureStatus > 599 {
		return c, configErr("BackendFailureStatus must be a 5xx status")
	}
	if c.Now == nil {
		c.Now = time.Now
	}

	var b strings.Builder
	b.WriteString("; Path=")
	b.WriteString(c.Path)
	if c.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.Domain)
	}
	b.WriteString("; HttpOnly")
	if secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=")
	b.WriteString(c.SameSite.attr())
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
	c.attrs = b.String()
	c.deleteAttrs = "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT" + c.attrs
	// The longest chunk name plus the attributes must leave room for a
	// useful value.
	if len(chunkName(c.Name, MaxChunksLimit))+len(c.attrs)+len("; Max-Age=2147483647")+64 > MaxCookieLine {
		return c, configErr("cookie name and attributes leave no room for a value")
	}
	return c, nil
}

// timeouts applies the defaults and rules of an idle and an absolute
// timeout. An idle timeout above the default absolute one, without an
// absolute one, is refused: raising the absolute lifetime to match
// would silently make sessions live longer than documented.
func timeouts(idle, abs, defIdle, defAbs time.Duration, idleName, absName string) (time.Duration, time.Duration, error) {
	if idle == 0 {
		idle = defIdle
	}
	if abs == 0 {
		if idle > defAbs {
			return 0, 0, configErr(idleName + " exceeds the default " + absName + "; set " + absName + " too")
		}
		abs = defAbs
	}
	if idle < time.Second || abs < idle {
		return 0, 0, configErr(idleName + " must be at least 1s and " + absName + " at least " + idleName)
	}
	if abs > MaxTimeout {
		// abs >= idle, so this caps both.
		return 0, 0, configErr(idleName + " and " + absName + " must be at most MaxTimeout (400 days)")
	}
	return idle, abs, nil
}

func checkName(name string) error {
	if name == "" || len(name) > 200 {
		return configErr("cookie name empty or longer than 200 bytes")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}#", c) >= 0 {
			return configErr("cookie name has a character RFC 6265 forbids (or '#', which chunk names use)")
		}
	}
	return nil
}

func attrSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f || c == ';' {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
