//go:build !crumb_nohttp

package revenv_test

import (
	"strings"
	"testing"

	"github.com/crumbkit/crumb/examples/edge-gate/internal/revenv"
)

// TestWebdis checks the settings: no URL is no list, and a bad URL or
// staleness bound is refused with an error that names the variable and
// shows no secret.
func TestWebdis(t *testing.T) {
	const password = "pa55-not-in-errors"
	tests := []struct {
		name    string
		env     map[string]string
		want    bool
		wantErr string
	}{
		{"none", nil, false, ""},
		{"list", map[string]string{revenv.EnvURL: "http://127.0.0.1:1", revenv.EnvUser: "crumb", revenv.EnvPassword: password}, true, ""},
		{"no cache", map[string]string{revenv.EnvURL: "http://127.0.0.1:1", revenv.EnvMaxStale: "0"}, true, ""},
		{"bad URL", map[string]string{revenv.EnvURL: "ftp://crumb:" + password + "@127.0.0.1:1"}, false, revenv.EnvURL},
		{"bad staleness", map[string]string{revenv.EnvURL: "http://127.0.0.1:1", revenv.EnvMaxStale: "-1s"}, false, revenv.EnvMaxStale},
		{"staleness not a duration", map[string]string{revenv.EnvURL: "http://127.0.0.1:1", revenv.EnvMaxStale: password}, false, revenv.EnvMaxStale},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rev, err := revenv.Webdis(func(k string) string { return tc.env[k] }, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), password) {
					t.Errorf("error %q shows a secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (rev != nil) != tc.want {
				t.Fatalf("list = %v, want one: %v", rev, tc.want)
			}
		})
	}
}
