//go:build crumb_nodynamodb

package main

import (
	"context"
	"errors"

	"github.com/crumbkit/crumb/cookiestore"
)

// sessionBackend, in a build without the AWS SDK, keeps sessions in the
// cookie and refuses SESSION_TABLE rather than ignore it: a deployment
// that asks for revocable sessions must not silently get cookie ones.
func sessionBackend(_ context.Context, getenv func(string) string) (cookiestore.Backend, error) {
	if getenv("SESSION_TABLE") != "" {
		return nil, errors.New("SESSION_TABLE is set, but this bootstrap was built with -tags crumb_nodynamodb")
	}
	return nil, nil
}
