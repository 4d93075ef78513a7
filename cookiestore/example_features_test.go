package cookiestore_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// cookieOf returns the name=value part of a Set-Cookie line.
func cookieOf(line string) string { return strings.Split(line, ";")[0] }

// A "remember me" box at login: checked, a persistent cookie with
// Options.Remember's timeouts (30 days idle by default); unchecked, a
// browser-session cookie.
func ExampleSession_Remember() {
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{})
	ctx := context.Background()
	for _, remember := range []bool{true, false} {
		s, _ := store.LoadHeader(ctx, "")
		s.Regenerate()
		s.Remember(remember) // r.PostFormValue("remember") != ""
		s.Data.UserID = "42"
		lines, _ := store.Commit(ctx, s)
		fmt.Println(remember, s.Lifetime().Idle, strings.Contains(lines[0], "Max-Age"))
	}
	// Output:
	// true 720h0m0s true
	// false 24h0m0s false
}

// The lifetime is sealed into the session: a store with default options
// (an edge worker's) renews a session exactly as the store that issued
// it would.
func ExampleSession_RenewalDue() {
	ring, _ := keys.GenerateRing(nil)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	origin, _ := cookiestore.New(encrypted.New(ring, crumb.WithClock(clock)),
		cookiestore.Options[Account]{IdleTimeout: time.Hour, RenewFraction: 0.5, Now: clock})
	edge, _ := cookiestore.New(encrypted.New(ring, crumb.WithClock(clock)), cookiestore.Options[Account]{Now: clock})
	ctx := context.Background()

	s, _ := origin.LoadHeader(ctx, "")
	s.Data.UserID = "42"
	lines, _ := origin.Commit(ctx, s)

	now = now.Add(31 * time.Minute)
	s, _ = edge.LoadHeader(ctx, cookieOf(lines[0]))
	fmt.Println(s.Lifetime().Idle, s.RenewalDue())
	lines, _ = edge.Commit(ctx, s)
	fmt.Println(strings.Contains(lines[0], "; Max-Age=5400;"), s.Expires().Sub(now))
	// Output:
	// 1h0m0s true
	// true 1h30m0s
}

// Default data fills a new session; a request that only reads it sends
// no cookie.
func ExampleOptions_newData() {
	type Prefs struct{ Theme string }
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Prefs]{
		NewData: func(p *Prefs) { p.Theme = "light" },
	})
	ctx := context.Background()
	s, _ := store.LoadHeader(ctx, "")
	lines, _ := store.Commit(ctx, s)
	fmt.Println(s.Data.Theme, len(lines))
	s.Data.Theme = "dark"
	lines, _ = store.Commit(ctx, s)
	fmt.Println(s.Data.Theme, len(lines))
	// Output:
	// light 0
	// dark 1
}

// A form that failed validation is shown again with what the user typed,
// except the password; every flash is listed, whatever its key and type.
func ExampleSession_FlashForm() {
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{})
	ctx := context.Background()

	// POST /signup, invalid
	form := url.Values{"email": {"ada@example.com"}, "password": {"hunter2"}}
	s, _ := store.LoadHeader(ctx, "")
	s.FlashForm("form", form, "password")
	s.Flash("error", "password too short")
	s.Flash("attempt", 3)
	lines, _ := store.Commit(ctx, s)

	// GET /signup
	s, _ = store.LoadHeader(ctx, cookieOf(lines[0]))
	flashed, _ := s.FlashedForm("form")
	old := url.Values(flashed)
	fmt.Println(old.Get("email"), old.Has("password"))
	for _, key := range s.FlashKeys() {
		fmt.Println(key, s.Flashes(key))
	}
	all, err := cookiestore.AllFlashes[any](s)
	fmt.Println(all["attempt"], err)
	s.ReflashExcept("form") // keep the messages one more request
	// Output:
	// ada@example.com false
	// attempt [3]
	// error [password too short]
	// form [{"email":["ada@example.com"]}]
	// [3] <nil>
}

// Reload re-reads the session from its backend, dropping changes not
// yet committed.
func ExampleStore_Reload() {
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{})
	ctx := context.Background()
	s, _ := store.LoadHeader(ctx, "")
	s.Data.UserID = "42"
	lines, _ := store.Commit(ctx, s)

	s, _ = store.LoadHeader(ctx, cookieOf(lines[0]))
	s.Data.UserID = "not saved"
	err := store.Reload(ctx, s)
	fmt.Println(s.Data.UserID, err)
	// Output: 42 <nil>
}
