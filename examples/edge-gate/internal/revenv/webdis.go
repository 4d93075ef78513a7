//go:build !crumb_nohttp

package revenv

import (
	"errors"

	"github.com/crumbkit/crumb/kvstore"
)

// Webdis returns the revocation list the environment names, reached
// through client (the runtime's fetch at the edge), or nil when
// REVOCATION_WEBDIS_URL is empty. Its errors name the variable, never
// its value.
func Webdis(getenv func(string) string, client kvstore.Doer) (*kvstore.Revocations, error) {
	u := getenv(EnvURL)
	if u == "" {
		return nil, nil
	}
	store, err := kvstore.NewWebdis(kvstore.WebdisConfig{
		URL:      u,
		Username: getenv(EnvUser),
		Password: getenv(EnvPassword),
		Client:   client,
	})
	if err != nil {
		return nil, errors.New(EnvURL + ": " + err.Error()) // kvstore's errors never show the password
	}
	opts, err := Options(getenv)
	if err != nil {
		return nil, err
	}
	return kvstore.NewRevocations(store, opts), nil
}
