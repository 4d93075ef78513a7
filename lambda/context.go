package lambda

import (
	"context"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

type eventKey struct{}

// EventFromContext returns the event behind the request whose context
// is ctx (r.Context() in a handler).
func EventFromContext(ctx context.Context) (*Event, bool) {
	ev, ok := ctx.Value(eventKey{}).(*Event)
	return ev, ok
}

// LambdaContext is the invocation metadata the Lambda runtime provides:
// the AWS request ID, the invoked function ARN, and for mobile SDK
// callers the Cognito identity and client context.
type LambdaContext = lambdacontext.LambdaContext

// LambdaContextFromContext returns the invocation metadata, present
// when the handler runs under Start.
func LambdaContextFromContext(ctx context.Context) (*LambdaContext, bool) {
	return lambdacontext.FromContext(ctx)
}

// RequestID returns the AWS request ID of the Lambda invocation, the ID
// that Lambda's own log lines and the Runtime API use, or "" outside
// Start.
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// FunctionARN returns the ARN the invocation was made with (it carries
// the alias or version when one was used), or "" outside Start.
func FunctionARN(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.InvokedFunctionArn
	}
	return ""
}

// NewContext returns a copy of ctx carrying lc, as Start does for each
// invocation. Tests use it to call Handler.Invoke with a request ID.
func NewContext(ctx context.Context, lc *LambdaContext) context.Context {
	return lambdacontext.NewContext(ctx, lc)
}
