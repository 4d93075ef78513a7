package main

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
)

func TestNewFromEnv(t *testing.T) {
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := ring.Export()
	bad := good + ",not-a-key-" + strings.Repeat("z", 30)
	tests := []struct {
		name    string
		env     string
		wantErr string
	}{
		{name: "valid ring", env: good},
		{name: "missing", env: "", wantErr: "SESSION_KEYS is not set"},
		{name: "bad key", env: bad, wantErr: "SESSION_KEYS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := newFromEnv(func(k string) string {
				if k == "SESSION_KEYS" {
					return tc.env
				}
				return ""
			})
			if tc.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("newFromEnv: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			for _, part := range strings.Split(tc.env, ",") {
				if len(part) > 8 && strings.Contains(err.Error(), part) {
					t.Errorf("error %q contains key text", err)
				}
			}
		})
	}
}
