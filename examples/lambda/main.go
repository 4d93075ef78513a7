// Command lambda is crumb's login demo (examples/login/loginapp) as an
// AWS Lambda function for the provided.al2023 runtime. One binary serves
// API Gateway REST and HTTP APIs, Function URLs and ALB target groups;
// see docs/lambda.md.
//
// Build it as the runtime expects, a file named bootstrap:
//
//	cd examples/lambda
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap .
//
// The key ring (as cmd/keygen prints it) comes from one of:
//
//   - SESSION_KEYS_SECRET: a Secrets Manager secret (name or ARN) whose
//     SecretString is the ring;
//   - SESSION_KEYS_PARAMETER: an SSM parameter (name or ARN), typically a
//     SecureString;
//   - SESSION_KEYS: the ring itself.
//
// A symmetric ring seals sessions with AES-256-GCM. SESSION_KEYS may
// instead hold an Ed448 private ring (ed448-private:... entries): the
// sessions are then signed, and an edge gate verifies them with the
// public ring alone (docs/edge.md). Secrets Manager and SSM hold
// symmetric rings only.
//
// SESSION_KEYS is read once, at init. A secret or parameter is read once
// per execution environment through the AWS Parameters and Secrets Lambda
// Extension, during the first invocation, because the extension does not
// serve during init (see package lambda/secrets). Neither is read per
// request. Cookies are Secure: every Lambda front door speaks HTTPS to
// the browser.
//
// Sessions live in the cookie by default. With SESSION_TABLE set they
// live in that DynamoDB table (kvstore/dynamostore; see docs/kvstore.md
// for the table), and the cookie carries only the session ID, so a
// logout really revokes. The SDK client is configured the usual way
// (config.LoadDefaultConfig): on Lambda, region and credentials come
// from the environment, and the function's role needs
// dynamodb:GetItem, PutItem, UpdateItem and DeleteItem on the table.
// Building with -tags crumb_nodynamodb leaves the AWS SDK out of the
// binary (and refuses SESSION_TABLE). With WEBDIS_URL set instead
// (and WEBDIS_USER, WEBDIS_PASSWORD, SESSION_PREFIX) they live in Redis
// behind Webdis, where an edge gate (examples/edge-gate/webdisgate) can
// read them too.
//
// With REVOCATION_WEBDIS_URL set (and REVOCATION_WEBDIS_USER,
// REVOCATION_WEBDIS_PASSWORD, REVOCATION_PREFIX), sessions are
// revocable wherever they live, cookie sessions included: a logout
// marks the session revoked in that Webdis (kvstore.Revocations), and
// an edge gate reading the same list (examples/edge-gate/revgate)
// refuses a copy of its cookie.
//
// This directory is a Go module of its own, so that the AWS SDK stays
// out of crumb's go.mod; build it from here:
//
//	cd examples/lambda && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap .
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/lambda"
	"github.com/crumbkit/crumb/lambda/secrets"
	"github.com/crumbkit/crumb/signed"
)

func main() {
	h, err := newFromEnv(os.Getenv)
	if err != nil {
		// Exiting during init makes Lambda report an init error with
		// this message in the function's log.
		log.Fatalf("crumb lambda example: %v", err)
	}
	lambda.Start(withTestRoutes(h))
}

// newFromEnv builds the app from the environment. It runs once per cold
// start: parsing the ring is the only key work, and no KDF runs per
// request.
func newFromEnv(getenv func(string) string) (http.Handler, error) {
	backend, err := backendFromEnv(context.Background(), getenv)
	if err != nil {
		return nil, err
	}
	cfg := loginapp.Config{
		Backend: backend,
		// Refused cookies and failed saves go to the function's log
		// with the invocation's request ID; the errors carry no cookie
		// values or key material.
		OnError: logError,
	}
	if err := testConfig(getenv, &cfg); err != nil {
		return nil, err
	}
	if cfg.Revocations, err = revocationsFromEnv(getenv, cfg.Now); err != nil {
		return nil, err
	}
	newApp := func(ring *keys.Ring) (http.Handler, error) {
		cfg := cfg
		cfg.Keys = ring
		return loginapp.New(cfg)
	}
	secret, param, text := getenv("SESSION_KEYS_SECRET"), getenv("SESSION_KEYS_PARAMETER"), getenv("SESSION_KEYS")
	var source string
	switch {
	case secret != "" && (param != "" || text != ""), param != "" && text != "":
		// Two sources would leave it unclear which keys seal.
		return nil, fmt.Errorf("set only one of SESSION_KEYS, SESSION_KEYS_SECRET and SESSION_KEYS_PARAMETER")
	case secret != "":
		source = "secretsmanager:" + secret
	case param != "":
		source = "ssm:" + param
	case text == "":
		return nil, fmt.Errorf("SESSION_KEYS is not set: generate a ring with `go run github.com/crumbkit/crumb/cmd/keygen` (`go run ./cmd/keygen` in a checkout of crumb) and set SESSION_KEYS to it, or set SESSION_KEYS_SECRET or SESSION_KEYS_PARAMETER")
	case strings.Contains(text, "ed448-private:"):
		// An Ed448 private ring signs the sessions, so an edge gate
		// can verify them with the public ring alone.
		ring, err := keys.ParsePrivateRing(ed448.Scheme(), text)
		if err != nil {
			return nil, fmt.Errorf("SESSION_KEYS: %w", err)
		}
		var opts []crumb.Option
		if cfg.Now != nil {
			opts = append(opts, crumb.WithClock(cfg.Now))
		}
		cfg.Sealer = signed.NewPublic(ring, opts...)
		return loginapp.New(cfg)
	default:
		ring, err := keys.ParseRing(text)
		if err != nil {
			return nil, fmt.Errorf("SESSION_KEYS: %w", err) // names the position, never the key
		}
		return newApp(ring)
	}
	c, err := secrets.NewClient(getenv) // fails at init when AWS_SESSION_TOKEN or the port is wrong
	if err != nil {
		return nil, err
	}
	// The ring is fetched during the first invocation and the app
	// built once; a failed fetch answers 503 and is logged, and the
	// next invocation tries again.
	return c.Handler(source, newApp, func(ctx context.Context, err error) {
		slog.ErrorContext(ctx, "loading session keys", "error", err.Error(), "request_id", lambda.RequestID(ctx))
	}), nil
}

func logError(ctx context.Context, err error) {
	slog.WarnContext(ctx, "session", "error", err.Error(), "request_id", lambda.RequestID(ctx))
}
