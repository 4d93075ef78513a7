package main

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
)

// TestNewFromEnvEd448 checks that an Ed448 private ring in SESSION_KEYS
// signs the sessions, so that its public ring alone opens them (what a
// verify-only edge gate holds).
func TestNewFromEnvEd448(t *testing.T) {
	k, err := keys.GeneratePrivateKey(ed448.Scheme(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keys.NewPrivateRing(k)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newFromEnv(func(name string) string {
		if name == "SESSION_KEYS" {
			return priv.Export()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "https://demo.example.com/login", strings.NewReader("email=ann%40example.com&password=correct"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var value string
	for _, line := range rec.Result().Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.Name == "__Host-session" {
			value = c.Value
		}
	}
	if value == "" {
		t.Fatalf("login set no session cookie: HTTP %d", rec.Code)
	}
	if _, err := signed.NewVerifier(priv.Public()).Open("__Host-session", value); err != nil {
		t.Fatalf("the session does not open with the Ed448 public ring: %v", err)
	}
}

// TestNewFromEnvStores checks the store settings: a bad Ed448 ring,
// WEBDIS_URL with SESSION_TABLE, and a bad WEBDIS_URL or
// REVOCATION_WEBDIS_URL are refused at init with errors that name the variable and show no secret.
func TestNewFromEnvStores(t *testing.T) {
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const password = "pa55-not-in-errors"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"webdis", map[string]string{"WEBDIS_URL": "http://127.0.0.1:1", "WEBDIS_USER": "crumb", "WEBDIS_PASSWORD": password}, ""},
		{"webdis and a table", map[string]string{"WEBDIS_URL": "http://127.0.0.1:1", "SESSION_TABLE": "sessions"}, "set only one of WEBDIS_URL and SESSION_TABLE"},
		{"webdis bad URL", map[string]string{"WEBDIS_URL": "ftp://crumb:" + password + "@127.0.0.1:1"}, "WEBDIS_URL"},
		{"revocation list", map[string]string{"REVOCATION_WEBDIS_URL": "http://127.0.0.1:1", "REVOCATION_WEBDIS_USER": "crumb", "REVOCATION_WEBDIS_PASSWORD": password}, ""},
		{"revocation list and webdis sessions", map[string]string{"REVOCATION_WEBDIS_URL": "http://127.0.0.1:1", "WEBDIS_URL": "http://127.0.0.1:1"}, ""},
		{"revocation list bad URL", map[string]string{"REVOCATION_WEBDIS_URL": "ftp://crumb:" + password + "@127.0.0.1:1"}, "REVOCATION_WEBDIS_URL"},
		{"bad ed448 ring", map[string]string{"SESSION_KEYS": "ed448-private:" + strings.Repeat("A", 20) + password}, "SESSION_KEYS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := newFromEnv(func(name string) string {
				if v, ok := tc.env[name]; ok {
					return v
				}
				if name == "SESSION_KEYS" {
					return ring.Export()
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
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}
