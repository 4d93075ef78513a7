package lambdatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// MaxRequestBytes is the largest request body a FrontDoor passes on, as
// a Function URL's 6 MB invocation payload limit allows; larger bodies
// are answered 413 without an invocation.
const MaxRequestBytes = 6 << 20

// Invoker runs one invocation in process: payload is the event's JSON,
// the result the function's response JSON. crumb's *lambda.Handler is
// one (lambda.New(handler)).
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// FrontDoor is an http.Handler that plays an AWS Lambda Function URL in
// front of a function: each HTTP request becomes a Function URL event
// (payload format 2.0), the function is invoked, and its response
// (status, headers, the cookies array, a base64 body, or a streamed
// response) becomes the HTTP response. Serve it with net/http to run a
// function locally the way a Function URL runs it:
//
//	rt := lambdatest.StartRuntime()      // the bootstrap's AWS_LAMBDA_RUNTIME_API is rt.Addr
//	http.ListenAndServe("127.0.0.1:8080", &lambdatest.FrontDoor{Runtime: rt})
//
// or, without a process, &lambdatest.FrontDoor{Function: lambda.New(handler)}.
//
// The event is what a Function URL sends: header names in lower case
// and repeated headers joined with ",", cookies in the "cookies" array
// (and in the cookie header, as Function URLs also send it), the query
// in rawQueryString and queryStringParameters, bodies that are not text
// base64-encoded, and "x-forwarded-proto: https", since a Function URL
// only speaks HTTPS (net/http's cookie jar, like browsers that treat
// loopback as a secure context, keeps Secure cookies for loopback
// addresses over plain HTTP). The client's address
// is the event's sourceIp; X-Forwarded-For from the client is passed on
// with it appended, as Function URLs do.
//
// A bootstrap process serves one invocation at a time, as one Lambda
// execution environment does: concurrent requests wait for it, up to
// Timeout. Start more processes against the same Runtime to serve them
// in parallel. An in-process Function is invoked concurrently.
//
// A function error, a timeout or an answer that is not a response
// becomes 502 Bad Gateway, as a Function URL answers, with the reason
// in the body. A FrontDoor is a development and test tool: it checks no
// authorization (like a Function URL with AuthType NONE).
type FrontDoor struct {
	// Runtime, when set, invokes a real bootstrap process polling this
	// Runtime API stand-in. Exactly one of Runtime and Function is set.
	Runtime *Runtime
	// Function, when set, is invoked in process.
	Function Invoker
	// Timeout is the invocation's deadline; 30 s when zero.
	Timeout time.Duration
	// DomainName is the event's requestContext.domainName; it must hold
	// ".lambda-url." for the function to see a Function URL event.
	// "lambdatest.lambda-url.us-east-1.on.aws" when empty. The Host
	// header is the request's own, so redirects stay on this server.
	DomainName string
}

// ServeHTTP implements http.Handler.
func (f *FrontDoor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if (f.Runtime == nil) == (f.Function == nil) {
		http.Error(w, "lambdatest: FrontDoor needs exactly one of Runtime and Function", http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		http.Error(w, "lambdatest: reading the request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > MaxRequestBytes {
		http.Error(w, "lambdatest: request body over the Function URL payload limit", http.StatusRequestEntityTooLarge)
		return
	}
	payload, err := json.Marshal(f.event(r, body))
	if err != nil {
		http.Error(w, "lambdatest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()

	var resp []byte
	streamed := false
	if f.Runtime != nil {
		var res Result
		res, err = f.Runtime.Invoke(ctx, payload, timeout)
		if err == nil && res.Error != nil {
			err = res.Error
		}
		resp, streamed = res.Payload, res.Streamed
	} else {
		resp, err = f.Function.Invoke(ctx, payload)
	}
	if err != nil {
		badGateway(w, "invocation failed: "+err.Error())
		return
	}
	if streamed {
		writeStreamed(w, resp)
		return
	}
	writeBuffered(w, resp)
}

// event builds the Function URL event for r.
func (f *FrontDoor) event(r *http.Request, body []byte) events.LambdaFunctionURLRequest {
	domain := f.DomainName
	if domain == "" {
		domain = "lambdatest.lambda-url.us-east-1.on.aws"
	}
	prefix, _, _ := strings.Cut(domain, ".")
	headers := map[string]string{}
	for name, vals := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(vals, ",")
	}
	headers["host"] = r.Host
	headers["x-forwarded-proto"] = "https"
	headers["x-forwarded-port"] = "443"
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	var query map[string]string
	if vals, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(vals) > 0 {
		query = make(map[string]string, len(vals))
		for k, v := range vals {
			query[k] = strings.Join(v, ",")
		}
	}
	now := time.Now().UTC()
	e := events.LambdaFunctionURLRequest{
		Version:               "2.0",
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    "anonymous",
			RequestID:    newRequestID(),
			APIID:        prefix,
			DomainName:   domain,
			DomainPrefix: prefix,
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.EscapedPath(),
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			e.Body = string(body)
		} else {
			e.Body = base64.StdEncoding.EncodeToString(body)
			e.IsBase64Encoded = true
		}
	}
	return e
}

// isText reports the content types a Function URL passes as text; it
// base64-encodes every other body (form posts included).
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/xml",
		mt == "application/javascript", strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// responseHead is the part of a Function URL response that becomes the
// status line and headers.
type responseHead struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

func (h responseHead) write(w http.ResponseWriter) {
	for k, v := range h.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range h.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	status := h.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

// writeBuffered writes a buffered response. As a Function URL does, an
// answer without a statusCode is itself the body of a 200 with
// Content-Type application/json.
func writeBuffered(w http.ResponseWriter, payload []byte) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Write(payload)
		return
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		badGateway(w, "response is not a Function URL response: "+err.Error())
		return
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			badGateway(w, "response body is not valid base64")
			return
		}
		body = b
	}
	responseHead{StatusCode: resp.StatusCode, Headers: resp.Headers, Cookies: resp.Cookies}.write(w)
	w.Write(body)
}

// streamSeparator ends the JSON prelude of a streamed HTTP response.
var streamSeparator = make([]byte, 8)

// writeStreamed writes a response posted in streaming mode: a JSON
// prelude (status, headers, cookies), eight NUL bytes, then the body.
func writeStreamed(w http.ResponseWriter, payload []byte) {
	prelude, body, ok := bytes.Cut(payload, streamSeparator)
	if !ok {
		// A stream without a prelude is a body for a 200.
		w.Write(payload)
		return
	}
	var h responseHead
	if err := json.Unmarshal(prelude, &h); err != nil {
		badGateway(w, "streamed response prelude is not JSON")
		return
	}
	h.write(w)
	w.Write(body)
}

func badGateway(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusBadGateway)
	fmt.Fprintln(w, "lambdatest front door:", msg)
}
