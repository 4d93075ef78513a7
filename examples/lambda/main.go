// Command lambda is crumb's login demo (examples/login/loginapp) as an
// AWS Lambda function for the provided.al2023 runtime. One binary serves
// API Gateway REST and HTTP APIs, Function URLs and ALB target groups;
// see docs/lambda.md.
//
// Build it as the runtime expects, a file named bootstrap:
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./examples/lambda
//
// SESSION_KEYS (a key ring, as cmd/keygen prints it) is read once, at
// init, never per request. Cookies are Secure: every Lambda front door
// speaks HTTPS to the browser.
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda"
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
	text := getenv("SESSION_KEYS")
	if text == "" {
		return nil, fmt.Errorf("SESSION_KEYS is not set; generate a ring with cmd/keygen")
	}
	ring, err := keys.ParseRing(text)
	if err != nil {
		return nil, fmt.Errorf("SESSION_KEYS: %w", err) // names the position, never the key
	}
	return loginapp.New(loginapp.Config{
		Keys: ring,
		// Refused cookies and failed saves go to the function's log
		// with the invocation's request ID; the errors carry no cookie
		// values or key material.
		OnError: func(ctx context.Context, err error) {
			slog.WarnContext(ctx, "session", "error", err.Error(), "request_id", lambda.RequestID(ctx))
		},
	})
}
