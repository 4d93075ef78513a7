package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// backendFromEnv picks where session records live: in Redis through
// Webdis when WEBDIS_URL is set, in DynamoDB when SESSION_TABLE is set
// (sessionBackend), in the cookie otherwise. Like sessionBackend it runs
// once, at init, and makes no network call.
//
// Webdis is the store an edge gate can read too (examples/edge-gate/
// webdisgate, over the runtime's fetch): with the same WEBDIS_URL,
// SESSION_PREFIX and ring on both sides, the gate loads and renews the
// records this function writes, and a logout here ends the session at
// the edge. A gate cannot sign DynamoDB requests.
func backendFromEnv(ctx context.Context, getenv func(string) string) (cookiestore.Backend, error) {
	u := getenv("WEBDIS_URL")
	if u == "" {
		return sessionBackend(ctx, getenv)
	}
	if getenv("SESSION_TABLE") != "" {
		return nil, errors.New("set only one of WEBDIS_URL and SESSION_TABLE")
	}
	store, err := kvstore.NewWebdis(kvstore.WebdisConfig{
		URL:      u,
		Username: getenv("WEBDIS_USER"),
		Password: getenv("WEBDIS_PASSWORD"),
	})
	if err != nil {
		return nil, fmt.Errorf("WEBDIS_URL: %w", err) // kvstore's errors never show the password
	}
	return kvstore.NewBackend(store, kvstore.BackendOptions{Prefix: getenv("SESSION_PREFIX")}), nil
}
