package loginapp

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// Account is the session data.
type Account struct {
	Email               string `json:"email,omitempty"`
	FailedLoginAttempts int    `json:"failed,omitempty"`
}

// Config configures the demo. Give Keys or Sealer.
type Config struct {
	// Keys seals the session with AES-256-GCM (package encrypted).
	Keys *keys.Ring
	// Sealer, when set, is used instead of Keys.
	Sealer crumb.Sealer
	// InsecureHTTP drops the Secure attribute for plain-HTTP
	// development on 127.0.0.1 or localhost.
	InsecureHTTP bool
	// Now is the clock (time.Now by default); it is also handed to the
	// sealer made from Keys.
	Now func() time.Time
	// Backend keeps session records on the server instead of in the
	// cookie (see cookiestore.Backend); nil keeps them in the cookie.
	Backend cookiestore.Backend
	// OnError receives session errors (refused cookies, failed saves).
	OnError func(ctx context.Context, err error)
	// Options, when non-nil, is the full cookiestore configuration;
	// the fields above fill its zero fields.
	Options *cookiestore.Options[Account]
}

// New returns the demo's handler: GET /, POST /login, POST /logout.
func New(cfg Config) (http.Handler, error) {
	var opts cookiestore.Options[Account]
	if cfg.Options != nil {
		opts = *cfg.Options
	}
	if opts.Now == nil {
		opts.Now = cfg.Now
	}
	if cfg.InsecureHTTP {
		opts.InsecureHTTP = true
	}
	if opts.Backend == nil {
		opts.Backend = cfg.Backend
	}
	if opts.OnError == nil {
		opts.OnError = cfg.OnError
	}
	sealer := cfg.Sealer
	if sealer == nil {
		if cfg.Keys == nil {
			return nil, errors.New("loginapp: Config needs Keys or a Sealer")
		}
		var so []crumb.Option
		if cfg.Now != nil {
			so = append(so, crumb.WithClock(cfg.Now))
		}
		sealer = encrypted.New(cfg.Keys, so...)
	}
	store, err := cookiestore.New(sealer, opts)
	if err != nil {
		return nil, err
	}
	a := &app{store: store}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	return store.Middleware(mux), nil
}

type app struct {
	store *cookiestore.Store[Account]
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r.Context())
	if r.PostFormValue("password") == "correct" {
		// A new session ID at login: an ID planted before it is
		// worthless after it.
		s.Regenerate()
		// "Remember me": a cookie that lasts 30 days without a visit
		// (Options.Remember's default); otherwise a browser-session
		// cookie, gone when the browser closes. The choice is sealed
		// into the session and holds until logout.
		s.Remember(r.PostFormValue("remember") != "")
		s.Data.Email = r.PostFormValue("email")
		s.Data.FailedLoginAttempts = 0
		s.Flash("message", "Login successful")
	} else {
		s.Data.FailedLoginAttempts++
		s.Flash("error", "Incorrect username or password")
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	a.store.Get(r.Context()).Destroy()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type page struct {
	Message, Error      []string
	FailedLoginAttempts int
	Email               string
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r.Context())
	p := page{
		Message:             s.Flashes("message"),
		Error:               s.Flashes("error"),
		FailedLoginAttempts: s.Data.FailedLoginAttempts,
		Email:               s.Data.Email,
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pageTemplate.Execute(w, p); err != nil {
		// The headers are gone; all that is left is to stop.
		return
	}
}

// pageTemplate is the oak_sessions demo page; html/template escapes
// everything it echoes.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>crumb login demo</title></head>
<body>
<p>
{{range .Message}}{{.}}{{end}}
</p>
<p>
{{range .Error}}{{.}}{{end}}
</p>
<p>
{{if .FailedLoginAttempts}}Failed login attempts: {{.FailedLoginAttempts}}{{end}}
</p>
{{if .Email}}<form id="logout" action="/logout" method="post">
<button name="logout" type="submit">Log out {{.Email}}</button>
</form>
{{else}}<form id="login" action="/login" method="post">
<p>
<input id="email" name="email" type="text" placeholder="you@email.com">
</p>
<p>
<input id="password" name="password" type="password" placeholder="password">
</p>
<p>
<label><input type="checkbox" name="remember" id="remember"> Remember me</label>
</p>
<button name="login" type="submit">Log in</button>
</form>
<p id="demo-credentials">Demo: any email, password <code>correct</code>.</p>
{{end}}</body>
</html>
`))
