// Package secrets loads a key ring from AWS Secrets Manager or SSM
// Parameter Store through the AWS Parameters and Secrets Lambda
// Extension's local HTTP endpoint, without the AWS SDK:
//
//	ring, err := secrets.LoadRing(ctx, "secretsmanager:crumb/session-keys")
//
// The extension listens on localhost:2773 (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
// changes the port) and answers only requests that carry the execution
// environment's AWS_SESSION_TOKEN. See
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
// and https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html.
//
// # When to load
//
// AWS documents that the extension serves only during the INVOKE phase,
// not during INIT: before the runtime has asked for its first invocation
// it answers 400 "not ready". A Go function that fetches its keys in main,
// before lambda.Start, would therefore wait for an extension that cannot
// become ready until it stops waiting. Client.Handler solves this: it
// loads the ring during the first invocation, builds the application
// once, and serves every later request without touching the extension.
//
// # Security contract
//
//   - The session token goes only to the extension's loopback address, in
//     the X-Aws-Parameters-Secrets-Token header: the client uses no proxy
//     and follows no redirect, so the header cannot be carried elsewhere.
//   - Errors and log lines name the secret or parameter and the HTTP
//     status, never the secret's value, the token, or the text of a key.
//     Replies are read up to MaxReplyBytes; a longer reply is refused.
//   - Errors wrap one of ErrNotFound, ErrUnauthorized, ErrAccessDenied,
//     ErrUnavailable, ErrRejected, ErrBadReply or ErrSource, or a
//     keys error from keys.ParseRing; check them with errors.Is.
//   - Only "not ready" answers, connection failures and the transient
//     statuses 429, 502, 503 and 504 are retried, with backoff, until the
//     context's deadline or Client.MaxWait, whichever comes first. A
//     missing secret or a refused token fails at once.
package secrets
