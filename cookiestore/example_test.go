package cookiestore_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

type Account struct {
	UserID string `json:"uid,omitempty"`
}

// The engine takes Cookie header text and returns Set-Cookie lines, for
// code without net/http (edge workers built with TinyGo).
func ExampleStore_LoadHeader() {
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{Name: "sid", InsecureHTTP: true})
	ctx := context.Background()

	s, err := store.LoadHeader(ctx, "theme=dark")
	fmt.Println(s.IsNew(), err)
	s.Data.UserID = "7"
	lines, _ := store.Commit(ctx, s)
	fmt.Println(len(lines), strings.Contains(lines[0], "; HttpOnly; SameSite=Lax"), cookiestore.CacheControl(""))

	s, err = store.LoadHeader(ctx, "theme=dark; "+strings.Split(lines[0], ";")[0])
	fmt.Println(s.IsNew(), err, s.Data.UserID, len(s.ID()))
	lines, _ = store.Commit(ctx, s)
	fmt.Println(len(lines)) // unchanged: nothing to send
	// Output:
	// true cookiestore: no session cookie
	// 1 true private, no-store
	// false <nil> 7 43
	// 0
}

func ExampleFlashValues() {
	type Notice struct {
		Level, Text string
	}
	ring, _ := keys.GenerateRing(nil)
	store, _ := cookiestore.New(encrypted.New(ring), cookiestore.Options[Account]{Name: "sid", InsecureHTTP: true})
	ctx := context.Background()
	s, _ := store.LoadHeader(ctx, "")
	s.Flash("notice", Notice{"warn", "Disk almost full"})
	lines, _ := store.Commit(ctx, s)

	s, _ = store.LoadHeader(ctx, strings.Split(lines[0], ";")[0])
	notices, err := cookiestore.FlashValues[Notice](s, "notice")
	fmt.Println(notices, err)
	// Output: [{warn Disk almost full}] <nil>
}
