package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

// A server-side session over the in-memory store: the cookie would carry
// id.Encode() (sealed by crumb's signed sealer); the data stays here.
func ExampleSessions() {
	ctx := context.Background()
	sessions := kvstore.NewSessions(kvstore.NewMemory(kvstore.MemoryConfig{MaxEntries: 1000}))

	id := kvstore.NewSessionID()
	if err := sessions.Save(ctx, id, []byte(`{"user":"ada"}`), 30*time.Minute); err != nil {
		fmt.Println("save:", err)
		return
	}
	cookieValue := id.Encode() // goes into the signed cookie

	_, data, err := sessions.Load(ctx, cookieValue)
	fmt.Println(string(data), err)

	// Logout that really revokes: the data is gone, whatever the cookie says.
	sessions.Delete(ctx, id)
	_, _, err = sessions.Load(ctx, cookieValue)
	fmt.Println(errors.Is(err, kvstore.ErrNotFound))

	// A forged ID is refused before any store call.
	_, _, err = sessions.Load(ctx, "../../admin")
	fmt.Println(errors.Is(err, kvstore.ErrBadKey))
	// Output:
	// {"user":"ada"} <nil>
	// true
	// true
}

// Webdis in front of Redis, with Basic auth and a key prefix. Errors are
// typed: a Redis outage is ErrUnavailable (Webdis's 503).
func ExampleNewWebdis() {
	store, err := kvstore.NewWebdis(kvstore.WebdisConfig{
		URL:      "http://127.0.0.1:7379",
		Username: "crumb",
		Password: "from-your-secret-store",
		Prefix:   "myapp:",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = store.Get(ctx, "some-key")
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		// No such session: start a fresh one.
	case errors.Is(err, kvstore.ErrUnavailable), errors.Is(err, kvstore.ErrTimeout):
		// Answer 503 rather than pretend the user is logged out.
	}
}

// The same cookiestore.Session[T] API over a store: the cookie carries
// only the signed session ID.
func ExampleNewBackend() {
	store := kvstore.NewMemory(kvstore.MemoryConfig{})
	key, _ := keys.Generate(nil)
	ring, _ := keys.NewRing(key)
	sessions, err := cookiestore.New(signed.New(ring), cookiestore.Options[struct{ UserID string }]{
		Backend: kvstore.NewBackend(store, kvstore.BackendOptions{}),
	})
	fmt.Println(sessions != nil, err)
	// Output: true <nil>
}

// Cloudflare Workers KV over its REST API. TTLs below 60 s are raised to
// Cloudflare's minimum.
func ExampleNewCloudflareKV() {
	store, err := kvstore.NewCloudflareKV(kvstore.CloudflareConfig{
		AccountID:   "023e105f4ecef8ad9ca31a8372d0c353",
		NamespaceID: "0f2ac74b498b48028cb68387c421e279",
		Token:       "an API token with Workers KV Storage Write",
	})
	fmt.Println(store.Dialect(), err)
	// Output: cloudflare <nil>
}

// Upstash Redis over its REST API.
func ExampleNewUpstash() {
	store, err := kvstore.NewUpstash(kvstore.UpstashConfig{
		URL:   "https://example-12345.upstash.io",
		Token: "UPSTASH_REDIS_REST_TOKEN's value",
	})
	fmt.Println(store.Dialect(), err)
	// Output: upstash <nil>
}
