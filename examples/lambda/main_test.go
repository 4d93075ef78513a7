package main

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda/secrets/secretstest"
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
		{name: "missing", env: "", wantErr: "SESSION_KEYS is not set: generate a ring with `go run github.com/crumbkit/crumb/cmd/keygen`"},
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

func TestNewFromEnvSources(t *testing.T) {
	ext := secretstest.New(t)
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ext.PutSecret("crumb/keys", ring.Export())
	ext.PutParameter("/crumb/keys", ring.Export(), "SecureString")
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "secret", env: map[string]string{"SESSION_KEYS_SECRET": "crumb/keys"}},
		{name: "parameter", env: map[string]string{"SESSION_KEYS_PARAMETER": "/crumb/keys"}},
		{name: "secret and ring", env: map[string]string{"SESSION_KEYS_SECRET": "crumb/keys", "SESSION_KEYS": ring.Export()}, wantErr: "set only one of"},
		{name: "parameter and ring", env: map[string]string{"SESSION_KEYS_PARAMETER": "/crumb/keys", "SESSION_KEYS": ring.Export()}, wantErr: "set only one of"},
		{name: "secret and parameter", env: map[string]string{"SESSION_KEYS_SECRET": "crumb/keys", "SESSION_KEYS_PARAMETER": "/crumb/keys"}, wantErr: "set only one of"},
		{name: "no session token", env: map[string]string{"SESSION_KEYS_SECRET": "crumb/keys", "AWS_SESSION_TOKEN": ""}, wantErr: "AWS_SESSION_TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(ext.Requests())
			h, err := newFromEnv(func(k string) string {
				if v, ok := tc.env[k]; ok {
					return v
				}
				return ext.Getenv(k)
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ext.Requests()) != before {
				t.Fatal("the extension was asked at init; it serves only during invocations")
			}
			for range 3 {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", "https://demo.example.com/", nil))
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="login"`) {
					t.Fatalf("GET /: %d %q", w.Code, w.Body)
				}
			}
			if n := len(ext.Requests()) - before; n != 1 {
				t.Errorf("the extension was asked %d times over 3 requests, want once", n)
			}
		})
	}
}

// TestSecretKeysOpenEnvCookies: a session sealed by the app built from
// SESSION_KEYS opens in the app whose ring came through the extension, so
// the ring loaded is the ring stored.
func TestSecretKeysOpenEnvCookies(t *testing.T) {
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ext := secretstest.New(t)
	ext.PutSecret("crumb/keys", ring.Export())
	fromEnv, err := newFromEnv(func(k string) string { return map[string]string{"SESSION_KEYS": ring.Export()}[k] })
	if err != nil {
		t.Fatal(err)
	}
	fromSecret, err := newFromEnv(func(k string) string {
		if k == "SESSION_KEYS_SECRET" {
			return "crumb/keys"
		}
		return ext.Getenv(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	other, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fromOther, err := newFromEnv(func(k string) string { return map[string]string{"SESSION_KEYS": other.Export()}[k] })
	if err != nil {
		t.Fatal(err)
	}

	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "https://demo.example.com/login", strings.NewReader("email=ann%40example.com&password=correct"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	fromEnv.ServeHTTP(w, r)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) == 0 {
		t.Fatalf("login: %d, %d cookies", w.Code, len(cookies))
	}
	page := func(h http.Handler) string {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "https://demo.example.com/", nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		h.ServeHTTP(w, r)
		return w.Body.String()
	}
	if !strings.Contains(page(fromSecret), "Log out ann@example.com") {
		t.Error("the app keyed from the secret does not open the session sealed with SESSION_KEYS")
	}
	if strings.Contains(page(fromOther), "Log out ann@example.com") {
		t.Error("an app with another ring opened the session; the check above proves nothing")
	}
}
