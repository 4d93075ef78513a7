package secrets_test

// The stand-in (package secretstest) follows the extension's documented
// API:
//   https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
//   https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda/secrets"
	"github.com/crumbkit/crumb/lambda/secrets/secretstest"
)

func newRing(t *testing.T, n int) *keys.Ring {
	t.Helper()
	ks := make([]keys.Key, n)
	for i := range ks {
		k, err := keys.Generate(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ks[i] = k
	}
	r, err := keys.NewRing(ks...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(r *keys.Ring) []string {
	var out []string
	for _, k := range r.Keys() {
		out = append(out, k.ID().String())
	}
	return out
}

func client(t *testing.T, ext *secretstest.Extension) *secrets.Client {
	t.Helper()
	c, err := secrets.NewClient(ext.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertNoLeak fails when err's text carries the token or any long
// part of the secret texts.
func assertNoLeak(t *testing.T, err error, token string, texts ...string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if token != "" && strings.Contains(msg, token) {
		t.Errorf("error %q contains the session token", msg)
	}
	for _, text := range texts {
		for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '"' }) {
			if len(f) >= 8 && strings.Contains(msg, f) {
				t.Errorf("error %q contains secret text %q", msg, f)
			}
		}
	}
}

func TestLoadRing(t *testing.T) {
	ring := newRing(t, 3)
	text := ring.Export()
	ext := secretstest.New(t)
	ext.PutSecret("crumb/keys", text)
	ext.PutSecret("crumb/json", `{"SESSION_KEYS":"`+text+`"}`)
	ext.PutSecret("crumb/garbage", "SESSION_KEYS=notakey!"+strings.Repeat("q", 40))
	ext.PutParameter("/crumb/keys", text, "SecureString")
	ext.PutParameter("/crumb/plain", "SESSION_KEYS="+text+"\n", "String")
	ext.PutSecret("crumb/denied", text)
	ext.Deny("crumb/denied")
	ext.PutParameter("/crumb/denied", text, "SecureString")
	ext.Deny("/crumb/denied")

	tests := []struct {
		source string
		want   error // nil: the ring loads and its IDs are ring's
	}{
		{source: "secretsmanager:crumb/keys"},
		{source: "ssm:/crumb/keys"}, // SecureString: only withDecryption=true yields the ring
		{source: "ssm:/crumb/plain"},
		{source: "secretsmanager:crumb/missing", want: secrets.ErrNotFound},
		{source: "ssm:/crumb/missing", want: secrets.ErrNotFound},
		{source: "secretsmanager:crumb/denied", want: secrets.ErrAccessDenied},
		{source: "ssm:/crumb/denied", want: secrets.ErrAccessDenied},
		{source: "secretsmanager:crumb/json", want: secrets.ErrBadReply},
		{source: "secretsmanager:crumb/garbage", want: keys.ErrNotBase64},
		{source: "crumb/keys", want: secrets.ErrSource},
		{source: "vault:crumb/keys", want: secrets.ErrSource},
		{source: "ssm:", want: secrets.ErrSource},
	}
	c := client(t, ext)
	for _, tc := range tests {
		t.Run(tc.source, func(t *testing.T) {
			got, err := c.LoadRing(context.Background(), tc.source)
			assertNoLeak(t, err, ext.Token, text, "notakey!"+strings.Repeat("q", 40))
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g, w := ids(got), ids(ring); !slices.Equal(g, w) {
				t.Fatalf("ring IDs %v, want %v", g, w)
			}
		})
	}
}

func TestToken(t *testing.T) {
	ext := secretstest.New(t)
	ext.PutSecret("s", newRing(t, 1).Export())
	tests := []struct {
		name, token string
		status      int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "not-the-session-token", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, ext)
			c.Token = tc.token
			_, err := c.LoadRing(context.Background(), "secretsmanager:s")
			if !errors.Is(err, secrets.ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
			reqs := ext.Requests()
			if last := reqs[len(reqs)-1]; last.Status != tc.status {
				t.Errorf("stand-in answered %d, want %d", last.Status, tc.status)
			}
		})
	}
	// The right token is sent, in the documented header.
	if _, err := client(t, ext).LoadRing(context.Background(), "secretsmanager:s"); err != nil {
		t.Fatal(err)
	}
}

func TestNewClient(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		getenv  func(string) string
		wantURL string
		wantErr error
	}{
		{"default port", env("AWS_SESSION_TOKEN", "tok"), "http://localhost:2773", nil},
		{"port from env", env("AWS_SESSION_TOKEN", "tok", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "4242"), "http://localhost:4242", nil},
		{"no token", env("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "4242"), "", secrets.ErrUnauthorized},
		{"port not a number", env("AWS_SESSION_TOKEN", "tok", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "http"), "", errors.New("any")},
		{"port out of range", env("AWS_SESSION_TOKEN", "tok", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "70000"), "", errors.New("any")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := secrets.NewClient(tc.getenv)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatal(err)
			case tc.wantErr == nil:
				if c.BaseURL != tc.wantURL || c.Token != "tok" {
					t.Errorf("BaseURL %q token %q, want %q tok", c.BaseURL, c.Token, tc.wantURL)
				}
			case err == nil:
				t.Fatal("no error")
			case tc.wantErr == secrets.ErrUnauthorized && !errors.Is(err, secrets.ErrUnauthorized):
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
		})
	}
}

func TestSlowStart(t *testing.T) {
	ring := newRing(t, 2)
	ext := secretstest.New(t)
	ext.PutSecret("s", ring.Export())
	ext.NotReadyFor(3)
	got, err := client(t, ext).LoadRing(context.Background(), "secretsmanager:s")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), ids(ring)) {
		t.Fatal("ring IDs differ")
	}
	var statuses []int
	for _, r := range ext.Requests() {
		statuses = append(statuses, r.Status)
	}
	if want := []int{400, 400, 400, 200}; !slices.Equal(statuses, want) {
		t.Fatalf("stand-in answered %v, want %v", statuses, want)
	}
}

func TestDeadline(t *testing.T) {
	ext := secretstest.New(t)
	ext.PutSecret("s", newRing(t, 1).Export())
	ext.SetReady(false)

	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		_, err := client(t, ext).LoadRing(ctx, "secretsmanager:s")
		if !errors.Is(err, secrets.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUnavailable and DeadlineExceeded", err)
		}
	})
	t.Run("MaxWait without a context deadline", func(t *testing.T) {
		c := client(t, ext)
		c.MaxWait = 150 * time.Millisecond
		_, err := c.LoadRing(context.Background(), "secretsmanager:s")
		if !errors.Is(err, secrets.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUnavailable and DeadlineExceeded", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := client(t, ext).LoadRing(ctx, "secretsmanager:s")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	if n := len(ext.Requests()); n < 2 {
		t.Errorf("stand-in saw %d requests; a not-ready extension should be asked again", n)
	}
}

func TestConnectionRefused(t *testing.T) {
	ring := newRing(t, 1)
	ext := secretstest.New(t)
	ext.PutSecret("s", ring.Export())

	t.Run("never listening", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c := client(t, ext)
		c.BaseURL = "http://" + addr
		c.MaxWait = 150 * time.Millisecond
		_, err = c.LoadRing(context.Background(), "secretsmanager:s")
		if !errors.Is(err, secrets.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUnavailable and DeadlineExceeded", err)
		}
	})
	t.Run("listening after two refusals", func(t *testing.T) {
		var dials atomic.Int32
		d := &net.Dialer{}
		c := client(t, ext)
		c.HTTP = &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if dials.Add(1) <= 2 {
					return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connect: connection refused")}
				}
				return d.DialContext(ctx, network, addr)
			},
		}}
		got, err := c.LoadRing(context.Background(), "secretsmanager:s")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), ids(ring)) {
			t.Fatal("ring IDs differ")
		}
		if dials.Load() != 3 {
			t.Errorf("%d dials, want 3", dials.Load())
		}
	})
}

// TestStatuses covers answers the stand-in does not give: which are
// retried, and what each becomes.
func TestStatuses(t *testing.T) {
	const secretish = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg"
	tests := []struct {
		name      string
		status    int
		body      string
		want      error
		wantTries int // 2: retried once, then the stub answered 200
	}{
		{"not ready", 400, "not ready to serve traffic, please wait", nil, 2},
		{"serving not enabled", 503, "Serving not enabled", nil, 2},
		{"throttled", 429, "", nil, 2},
		{"throttling exception", 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`, nil, 2},
		{"upstream timeout", 504, `{"__type":"TimeoutError"}`, nil, 2},
		{"plain-text not found", 400, "ResourceNotFoundException: Secrets Manager can't find the specified secret.", secrets.ErrNotFound, 1},
		{"namespaced type", 400, `{"__type":"com.amazonaws.ssm#ParameterNotFound"}`, secrets.ErrNotFound, 1},
		{"404", 404, "", secrets.ErrNotFound, 1},
		{"kms", 400, `{"__type":"KMS.AccessDeniedException"}`, secrets.ErrAccessDenied, 1},
		{"validation", 400, `{"__type":"ValidationException","message":"` + secretish + `"}`, secrets.ErrRejected, 1},
		{"body that is not a type", 400, `{"__type":"` + secretish + ` x"}`, secrets.ErrRejected, 1},
		{"internal", 500, secretish, secrets.ErrRejected, 1},
		{"200 not json", 200, secretish, secrets.ErrBadReply, 1},
		{"200 binary secret", 200, `{"Name":"s","SecretBinary":"AAAA"}`, secrets.ErrBadReply, 1},
		{"200 too long", 200, `{"SecretString":"` + strings.Repeat("a", secrets.MaxReplyBytes) + `"}`, secrets.ErrBadReply, 1},
	}
	ring := newRing(t, 1)
	good := `{"SecretString":"` + ring.Export() + `"}`
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tries.Add(1) > 1 {
					w.Write([]byte(good))
					return
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &secrets.Client{BaseURL: srv.URL, Token: "tok", MaxWait: 5 * time.Second}
			_, err := c.LoadRing(context.Background(), "secretsmanager:s")
			assertNoLeak(t, err, "", secretish)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if int(tries.Load()) != tc.wantTries {
				t.Errorf("%d requests, want %d", tries.Load(), tc.wantTries)
			}
		})
	}
}

// TestNoRedirect: the token header must not follow a redirect away from
// the extension.
func TestNoRedirect(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(secrets.TokenHeader) != "" {
			leaked.Store(true)
		}
	}))
	defer elsewhere.Close()
	ext := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusFound))
	defer ext.Close()
	c, err := secrets.NewClient(func(k string) string {
		if k == "AWS_SESSION_TOKEN" {
			return "tok"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = ext.URL
	_, err = c.LoadRing(context.Background(), "secretsmanager:s")
	if !errors.Is(err, secrets.ErrRejected) {
		t.Errorf("err = %v, want ErrRejected", err)
	}
	if leaked.Load() {
		t.Fatal("the token was sent to the redirect target")
	}
}
