package main

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// A small login demo written against crumb's sealer directly: login sets
// an encrypted session cookie and a flash cookie, the home page shows
// and clears the flash, logout clears the session.

const (
	sessionCookie = "session"
	flashCookie   = "flash"
	sessionTTL    = 12 * time.Hour
)

type app struct {
	sealer crumb.Sealer
	now    func() time.Time
}

func newApp(ring *keys.Ring) http.Handler {
	a := &app{sealer: encrypted.New(ring), now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	return mux
}

var page = template.Must(template.New("home").Parse(`<!doctype html>
<title>crumb on Lambda</title>
{{with .Flash}}<p class="flash">{{.}}</p>{{end}}
{{if .User}}<p>Signed in as <b class="user">{{.User}}</b>.</p>
<form method="post" action="logout"><button>Log out</button></form>
{{else}}<form method="post" action="login"><input name="user"><button>Log in</button></form>{{end}}
`))

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	var data struct{ User, Flash string }
	data.User = a.open(r, sessionCookie)
	if data.Flash = a.open(r, flashCookie); data.Flash != "" {
		a.clear(w, flashCookie) // shown once
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page.Execute(w, data)
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user := r.PostFormValue("user")
	if user == "" || len(user) > 64 {
		http.Error(w, "a user name of 1 to 64 bytes, please", http.StatusBadRequest)
		return
	}
	if err := a.set(w, sessionCookie, user, sessionTTL); err != nil {
		http.Error(w, "could not start a session", http.StatusInternalServerError)
		return
	}
	a.set(w, flashCookie, "Welcome, "+user+"!", 5*time.Minute)
	http.Redirect(w, r, "./", http.StatusSeeOther)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	a.clear(w, sessionCookie)
	a.set(w, flashCookie, "Signed out.", 5*time.Minute)
	http.Redirect(w, r, "./", http.StatusSeeOther)
}

// open returns the cookie's payload, or "" for a missing, tampered or
// expired cookie: garbage never becomes an error page.
func (a *app) open(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	o, err := a.sealer.Open(name, c.Value)
	if err != nil {
		return ""
	}
	return string(o.Payload)
}

func (a *app) set(w http.ResponseWriter, name, payload string, ttl time.Duration) error {
	v, err := a.sealer.Seal(name, []byte(payload), a.now().Add(ttl))
	if err != nil {
		return err
	}
	if len(v) > 4000 {
		return errors.New("cookie too large")
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: v, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return nil
}

func (a *app) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}
