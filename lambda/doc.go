// Package lambda runs a net/http handler on AWS Lambda behind API Gateway
// REST APIs (payload 1.0), HTTP APIs (payload 2.0), Function URLs and
// Application Load Balancers, with cookies carried exactly.
//
//	func main() { lambda.Start(store.Middleware(mux)) }
//
// The event type is detected from the JSON of each invocation; there is
// nothing to configure. Users never import aws-lambda-go themselves:
// Start wraps its runtime loop, and the Lambda context is reachable
// through RequestID, LambdaContextFromContext and EventFromContext.
//
// # Security contract
//
// Cookies are what sessions live on, so the adapter never invents,
// merges, splits or drops one:
//
//   - Request cookies from HTTP APIs and Function URLs come from the
//     event's cookies array, joined with "; " into one Cookie header.
//     A cookie header that Function URLs also send is discarded, so no
//     cookie arrives twice. Cookie headers are never split on commas,
//     so a value containing a comma reaches the handler intact.
//   - Every Set-Cookie the handler writes leaves as its own entry: in
//     "cookies" for HTTP APIs and Function URLs, in "multiValueHeaders"
//     for REST APIs and multi-value ALB target groups. No response for a
//     REST API or an ALB ever carries a top-level "cookies" key, which
//     would make them answer 502.
//   - An ALB target group without multi-value headers can carry only one
//     Set-Cookie. A response with more is refused with
//     ErrSingleValueSetCookie (an invocation error, so the load balancer
//     answers 502 and the function's Errors metric counts it) rather than
//     delivering a subset: a dropped Set-Cookie can be the one that ends a
//     session at logout, or one chunk of a chunked session cookie.
//   - Response header fields follow net/http's rules, in every event
//     source and in streamed responses: a field whose name is not a valid
//     token is dropped, and CR or LF in a value (Set-Cookie included)
//     becomes a space. A handler echoing input into a header is as safe
//     here as on net/http: "a\r\nSet-Cookie: x=1" cannot add a field.
//   - A response that would exceed Lambda's payload limit is refused with
//     ErrResponseTooLarge, never truncated.
//   - A handler panic or a handler still running at the invocation's
//     deadline becomes an invocation error (ErrHandlerPanic,
//     ErrDeadline) and the process keeps serving later invocations.
//   - Errors and log lines name cookies but never carry cookie values,
//     request bodies or key material. The one exception is a panic: its
//     value, which the handler chose, is reported as it is, so panic
//     with errors that follow the same rule (crumb's do).
package lambda
