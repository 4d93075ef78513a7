package main

import (
	"fmt"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// revocationsFromEnv returns the revocation list named by
// REVOCATION_WEBDIS_URL (with REVOCATION_WEBDIS_USER,
// REVOCATION_WEBDIS_PASSWORD and REVOCATION_PREFIX), or nil when it is
// empty. Like backendFromEnv it runs once, at init, and makes no
// network call. now is the sessions' clock (time.Now when nil).
//
// With a list, a logout marks the session revoked and every request
// checks it, so a copy of a cookie session's cookie opens nothing after
// its logout, here and at an edge gate reading the same list
// (examples/edge-gate/revgate, or webdisgate); the demo page also gains
// "Log out everywhere". It works with sessions in the cookie, in Webdis
// or in DynamoDB. The URL may be WEBDIS_URL's: the list's keys
// (REVOCATION_PREFIX, "crumb:r:" when empty) do not collide with the
// session records'.
func revocationsFromEnv(getenv func(string) string, now func() time.Time) (*kvstore.Revocations, error) {
	u := getenv("REVOCATION_WEBDIS_URL")
	if u == "" {
		return nil, nil
	}
	store, err := kvstore.NewWebdis(kvstore.WebdisConfig{
		URL:      u,
		Username: getenv("REVOCATION_WEBDIS_USER"),
		Password: getenv("REVOCATION_WEBDIS_PASSWORD"),
	})
	if err != nil {
		return nil, fmt.Errorf("REVOCATION_WEBDIS_URL: %w", err) // kvstore's errors never show the password
	}
	return kvstore.NewRevocations(store, kvstore.RevocationOptions{Prefix: getenv("REVOCATION_PREFIX"), Now: now}), nil
}
