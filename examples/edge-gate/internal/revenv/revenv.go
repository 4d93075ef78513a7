// Package revenv reads an edge gate's revocation list settings from the
// worker's environment: a list in Webdis for the gates that link
// kvstore's HTTP stores (revgate, webdisgate), the list's options for
// every gate (kvgate keeps its list in a Workers KV binding).
package revenv

import (
	"errors"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

// Environment variables Webdis and Options read.
const (
	EnvURL      = "REVOCATION_WEBDIS_URL"      // the Webdis holding the origin's list
	EnvUser     = "REVOCATION_WEBDIS_USER"     // its ACL user
	EnvPassword = "REVOCATION_WEBDIS_PASSWORD" // a secret
	EnvPrefix   = "REVOCATION_PREFIX"          // the list's key prefix, "crumb:r:" when empty; the origin's must match
	EnvBinding  = "REVOCATION_KV_BINDING"      // kvgate: the Workers KV binding holding the list
	EnvMaxStale = "REVOCATION_MAX_STALE"       // a Go duration, kvstore.DefaultMaxStale when empty, "0" for no cache
)

// Options reads REVOCATION_PREFIX and REVOCATION_MAX_STALE. Its errors
// name the variable, never its value.
func Options(getenv func(string) string) (kvstore.RevocationOptions, error) {
	opts := kvstore.RevocationOptions{Prefix: getenv(EnvPrefix)}
	if v := getenv(EnvMaxStale); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return kvstore.RevocationOptions{}, errors.New(EnvMaxStale + " is not a duration such as 5s, or 0 for no cache")
		}
		// A staleness bound of 0 means no cache: every check reads
		// the list (kvstore's option takes a negative value for it).
		opts.MaxStale = d
		if d == 0 {
			opts.MaxStale = -1
		}
	}
	return opts, nil
}
