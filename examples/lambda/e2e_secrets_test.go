package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda/lambdatest"
	"github.com/crumbkit/crumb/lambda/secrets/secretstest"
)

// testSecretsExtension runs the bootstrap binary with its keys in a
// secret behind a Parameters and Secrets extension stand-in
// (lambda/secrets/secretstest, written to the documented API:
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html,
// https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html).
//
// As on Lambda, the stand-in answers "not ready" until the runtime has
// asked for its first invocation, which ends init. The session the
// binary seals must open in envProc, the process keyed by SESSION_KEYS
// with the same ring, through envRT.
func testSecretsExtension(t *testing.T, bin string, envRT *lambdatest.Runtime, ring *keys.Ring) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t.Run("secret", func(t *testing.T) {
		ext := secretstest.New(t)
		ext.SetReady(false)
		ext.PutSecret("crumb/e2e-keys", ring.Export())
		rt := lambdatest.NewRuntime(t)
		proc := startWithExtension(t, bin, rt, ext, "SESSION_KEYS_SECRET=crumb/e2e-keys")

		c := &client{t: t, rt: rt, src: srcV2, jar: map[string]string{}}
		if r := c.do(ctx, "POST", "/login", "email=ann%40example.com&password=correct"); r.status != http.StatusSeeOther {
			t.Fatalf("login: status %d, body %q\nprocess log:\n%s", r.status, r.body, proc.log())
		}
		for range 3 {
			if r := c.do(ctx, "GET", "/", ""); !strings.Contains(r.body, "Log out ann@example.com") {
				t.Fatalf("page after login: %q", r.body)
			}
		}
		reqs := ext.Requests()
		if len(reqs) != 1 || reqs[0].Status != http.StatusOK || reqs[0].ID != "crumb/e2e-keys" {
			t.Errorf("extension requests %+v, want one answered 200 for crumb/e2e-keys (none during init, none per request)", reqs)
		}

		// The same ring: the session sealed by this process opens in
		// the one keyed by SESSION_KEYS.
		other := &client{t: t, rt: envRT, src: srcV2, jar: c.jar}
		if r := other.do(ctx, "GET", "/", ""); !strings.Contains(r.body, "Log out ann@example.com") {
			t.Errorf("the SESSION_KEYS process does not open the session sealed with keys from the secret")
		}
	})

	t.Run("missing parameter", func(t *testing.T) {
		ext := secretstest.New(t)
		rt := lambdatest.NewRuntime(t)
		proc := startWithExtension(t, bin, rt, ext, "SESSION_KEYS_PARAMETER=/crumb/missing")
		c := &client{t: t, rt: rt, src: srcV2, jar: map[string]string{}}
		if r := c.do(ctx, "GET", "/", ""); r.status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", r.status)
		}
		log := proc.log()
		if !strings.Contains(log, "loading session keys") || !strings.Contains(log, "not found") || !strings.Contains(log, "/crumb/missing") {
			t.Errorf("log does not name the failure:\n%s", log)
		}
		if strings.Contains(log, ext.Token) {
			t.Error("log contains the session token")
		}
		if proc.exited() {
			t.Error("process exited")
		}
	})
}

// startWithExtension starts the binary with the stand-in's environment.
// The binary talks to rt through a proxy that makes ext ready when the
// runtime first asks for an invocation: the moment init ends on Lambda.
func startWithExtension(t *testing.T, bin string, rt *lambdatest.Runtime, ext *secretstest.Extension, keyEnv string) *process {
	t.Helper()
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: rt.Addr})
	// The long poll for /next is cut when the test kills the process;
	// that is no failure worth a log line.
	proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			ext.SetReady(true)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	p := &process{}
	cmd := exec.Command(bin)
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(front.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=crumb-test",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_REGION=us-east-1",
		keyEnv,
	}, ext.Env()...)
	p.start(t, cmd)
	return p
}
