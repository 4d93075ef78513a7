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
// FrontDoor is the other side: an http.Handler that plays a Function
// URL, turning HTTP requests into Function URL events and the function's
// responses (status, headers, the cookies array, base64 and streamed
// bodies) back into HTTP responses, so a real http.Client or a browser
// can use a function, run as a bootstrap process against the Runtime
// API stand-in or in process. To run a function locally:
//
//	rt := lambdatest.StartRuntime()
//	defer rt.Close()
//	// start ./bootstrap with AWS_LAMBDA_RUNTIME_API=rt.Addr, then:
//	http.ListenAndServe("127.0.0.1:8080", &lambdatest.FrontDoor{Runtime: rt})
//
// It is a test and development tool: it trusts the process it talks to,
// keeps every payload in memory and checks no authorization.
package lambdatest
