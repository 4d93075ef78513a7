// Package lambdaproxy compares crumb's lambda adapter with
// github.com/awslabs/aws-lambda-go-api-proxy v0.16.2 on the cookie cases
// that decide whether sessions work: a Function URL event carrying both
// the cookies array and a cookie header, commas inside cookie values,
// several Set-Cookies in one response, and a session split over chunked
// cookies.
//
// It is a module of its own so that the proxy never enters crumb's
// go.mod. Run it with:
//
//	cd bench/lambdaproxy && go test -v .
package lambdaproxy
