// Package lambdatest runs a stand-in for the AWS Lambda Runtime API, so
// a real function binary can be tested end to end without AWS: point the
// process's AWS_LAMBDA_RUNTIME_API at Runtime.Addr and send it events
// with Invoke.
//
// The stand-in follows the documented protocol (API version
// 2018-06-01): GET /runtime/invocation/next long-polls and returns the
// event with the Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
// Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id
// headers; POST /runtime/invocation/{id}/response and .../{id}/error are
// answered 202; POST /runtime/init/error records an init failure.
// Streamed responses (Lambda-Runtime-Function-Response-Mode: streaming)
// are read to the end, with the error trailers a failed stream carries.
//
// It is a test tool: it trusts the process it talks to and keeps every
// payload in memory.
package lambdatest
