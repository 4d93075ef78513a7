package kvstore_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// failDoer fails the test if any request is sent: for inputs that must
// be refused before the network.
type failDoer struct{ t testing.TB }

func (f failDoer) Do(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected request to the store: %s %s", r.Method, r.URL.Path)
	return nil, errors.New("failDoer: no requests allowed")
}

// hangDoer blocks until the request's context ends: a store slower than
// any deadline.
type hangDoer struct{}

func (hangDoer) Do(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// assertNoSecrets fails if err's text holds any of the secrets.
func assertNoSecrets(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error text %q contains a secret or key", err)
		}
	}
}
