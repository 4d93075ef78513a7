package gate

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/wasm"
)

// Environment variables FromEnv reads. In workerd they are the worker's
// text bindings and secrets, which the shim hands to Go.
const (
	EnvMode      = "SESSION_MODE"     // encrypted (default), hmac, ed448-verify, ed448-sign
	EnvKeys      = "SESSION_KEYS"     // the ring's text; a secret unless the mode is ed448-verify
	EnvCookie    = "SESSION_COOKIE"   // cookie name; cookiestore's default when empty
	EnvInsecure  = "SESSION_INSECURE" // "1": cookies without Secure, for http://127.0.0.1 only
	EnvOrigin    = "ORIGIN_URL"       // the origin's base URL
	EnvProtected = "PROTECTED_PATHS"  // comma-separated path prefixes
	EnvLogin     = "LOGIN_PATH"       // where anonymous requests are sent; "/"
	EnvHeader    = "IDENTITY_HEADER"  // "X-Crumb-User"
	EnvField     = "IDENTITY_FIELD"   // the session data's string field naming the user; "email"
	EnvClientIP  = "CLIENT_IP_HEADER" // the header the platform puts the client's address in ("Cf-Connecting-Ip"); none trusted when empty
)

// EnvOptions is what FromEnv cannot read from the environment.
type EnvOptions struct {
	// Backend, when not nil, keeps session records on the server
	// (kvstore.NewBackend over a store such as wasm/kvbinding's); the
	// origin must use the same store and key prefix.
	Backend cookiestore.Backend
	// NewSealer builds the sealer from SESSION_MODE and SESSION_KEYS.
	// When nil it is wasm.NewSymmetricSealer, which serves the
	// encrypted and hmac modes and keeps Ed448 out of the build; set it
	// to pubsealer.New (package wasm/pubsealer) for ed448-verify and
	// ed448-sign (about 150 KB gzip more).
	NewSealer func(mode wasm.Mode, ring string, opts ...crumb.Option) (crumb.Sealer, error)
	// Revocation, when not nil, is checked for every session cookie
	// (cookiestore.Options.Revocation), such as a kvstore.Revocations
	// over the same store and prefix as the origin's: a revoked
	// session no longer passes the gate, and a list that cannot be
	// read gives 503. The user of a session is the IDENTITY_FIELD
	// string field, which must name the same user as the origin's
	// cookiestore.Options.User.
	Revocation cookiestore.Revoker
	// RevocationFailOpen is cookiestore.Options.RevocationFailOpen;
	// cookiestore.ReadOnlyRequest lets GET, HEAD and OPTIONS through
	// while the list is down.
	RevocationFailOpen func(ctx context.Context) bool
}

// FromEnv builds the gate's Config from environment variables (see the
// Env constants); in a worker getenv is worker.Getenv, which works with
// both compilers (TinyGo's os.Getenv sees nothing of the worker's
// bindings). Its errors name the variable, never its value.
func FromEnv(getenv func(string) string, o EnvOptions) (Config, error) {
	mode := wasm.ModeEncrypted
	if m := getenv(EnvMode); m != "" {
		var ok bool
		if mode, ok = wasm.ParseMode(m); !ok {
			return Config{}, errors.New("gate: " + EnvMode + " is not encrypted, hmac, ed448-verify or ed448-sign")
		}
	}
	if getenv(EnvKeys) == "" {
		return Config{}, errors.New("gate: " + EnvKeys + " is not set: generate a ring with `go run github.com/crumbkit/crumb/cmd/keygen` (ed448 modes: `keygen ed448`)")
	}
	newSealer := o.NewSealer
	if newSealer == nil {
		newSealer = wasm.NewSymmetricSealer
	}
	sealer, err := newSealer(mode, getenv(EnvKeys))
	if err != nil {
		return Config{}, errors.New("gate: " + EnvKeys + ": " + err.Error())
	}
	backend := o.Backend
	opts := cookiestore.Options[cookiestore.Raw]{
		Name:         getenv(EnvCookie),
		InsecureHTTP: getenv(EnvInsecure) == "1",
		Backend:      backend,
		Codec:        Codec{},
	}
	field := getenv(EnvField)
	if field == "" {
		field = "email"
	}
	if o.Revocation != nil {
		opts.Revocation, opts.RevocationFailOpen = o.Revocation, o.RevocationFailOpen
		opts.User = func(d *cookiestore.Raw) string {
			v, _ := StringField(*d, field)
			return v
		}
	}
	store, err := cookiestore.New(sealer, opts)
	if err != nil {
		return Config{}, errors.New("gate: session options: " + err.Error())
	}
	cfg := Config{
		Store:          store,
		CanRenew:       mode != wasm.ModeEd448Verify,
		Origin:         getenv(EnvOrigin),
		LoginPath:      getenv(EnvLogin),
		IdentityHeader: getenv(EnvHeader),
		ClientIPHeader: getenv(EnvClientIP),
	}
	if backend != nil || o.Revocation != nil {
		cfg.Timeout = 5 * time.Second
	}
	for _, p := range strings.Split(getenv(EnvProtected), ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.Protected = append(cfg.Protected, p)
		}
	}
	if f := getenv(EnvField); f != "" {
		cfg.Identity = func(data []byte) string {
			v, _ := StringField(data, f)
			return v
		}
	}
	return cfg, nil
}
