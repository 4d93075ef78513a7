package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crumbkit/crumb/lambda"
	"github.com/google/go-cmp/cmp"
)

// seenRequest is what a handler observed, in comparable form.
type seenRequest struct {
	Source     lambda.Source
	Method     string
	Path       string
	RawQuery   string
	Host       string
	RemoteAddr string
	HTTPS      bool
	Cookie     []string          // the Cookie header lines, unsplit
	Cookies    []string          // r.Cookies() as name=value
	Headers    map[string]string // a subset to check, canonical keys
	Body       string
	RequestID  string
	Stage      string
}

// recorder is an http.Handler that records the request and answers with
// the given cookies and a text body.
type recorder struct {
	mu         sync.Mutex
	seen       *seenRequest
	header     http.Header
	setCookies []string
	body       []byte
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := &seenRequest{
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Host:       r.Host,
		RemoteAddr: r.RemoteAddr,
		HTTPS:      r.TLS != nil,
		Cookie:     r.Header.Values("Cookie"),
		Body:       string(body),
		Headers:    map[string]string{},
	}
	for _, c := range r.Cookies() {
		s.Cookies = append(s.Cookies, c.Name+"="+c.Value)
	}
	for k := range r.Header {
		s.Headers[k] = strings.Join(r.Header.Values(k), "|")
	}
	if ev, ok := lambda.EventFromContext(r.Context()); ok {
		s.Source, s.RequestID, s.Stage = ev.Source, ev.RequestID, ev.Stage
	}
	h.mu.Lock()
	h.seen = s
	h.mu.Unlock()
	for k, vs := range h.header {
		w.Header()[k] = vs
	}
	for _, c := range h.setCookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.Write(h.body)
}

func (h *recorder) last() *seenRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen
}

// awsLambdaGoDir finds the aws-lambda-go module in the module cache, the
// source of the real event samples.
func awsLambdaGoDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/aws/aws-lambda-go: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("github.com/aws/aws-lambda-go is not in the module cache; run go mod download")
	}
	return dir
}

// TestAWSEventSamples feeds every API Gateway, ALB and Function URL event
// sample that aws-lambda-go ships through the adapter. Each file must
// have an entry here, so a new sample in a later version fails the test
// until someone looks at it.
func TestAWSEventSamples(t *testing.T) {
	dir := awsLambdaGoDir(t)
	var files []string
	for _, pat := range []string{
		"events/testdata/apigw*.json",
		"events/testdata/alb*.json",
		"events/testdata/lambda-urls*.json",
		"lambdaurl/testdata/*.json",
	} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}

	restHeaders := map[string]string{"Headername": "headerValue", "Content-Type": "application/json", "X-Forwarded-For": "54.240.196.186, 54.182.214.83"}
	restBody := "{\r\n\t\"a\": 1\r\n}"
	v2 := func() *seenRequest {
		return &seenRequest{
			Source: lambda.SourceAPIGatewayV2, Method: "GET", Path: "/my/path",
			RawQuery: "parameter1=value1&parameter1=value2&parameter2=value",
			Host:     "id.execute-api.us-east-1.amazonaws.com", RemoteAddr: "IP:0", HTTPS: true,
			Cookie: []string{"cookie1; cookie2"}, Cookies: []string{"cookie1=", "cookie2="},
			Headers: map[string]string{"Header1": "value1", "Header2": "value2"},
			Body:    restBody, RequestID: "id", Stage: "$default",
		}
	}
	furlGet := func(id string) *seenRequest {
		return &seenRequest{
			Source: lambda.SourceFunctionURL, Method: "GET", Path: "/",
			Host: "lambda-url-id.lambda-url.us-west-2.on.aws", RemoteAddr: "127.0.0.1:0", HTTPS: true,
			Headers:   map[string]string{"Accept": "application/xml", "X-Forwarded-Proto": "https"},
			RequestID: id, Stage: "$default",
		}
	}
	rest := &seenRequest{
		Source: lambda.SourceAPIGatewayV1, Method: "POST", Path: "/hello/world", RawQuery: "name=me",
		Host: "gy415nuibc.execute-api.us-east-1.amazonaws.com", RemoteAddr: "192.168.196.186:0", HTTPS: true,
		Headers: restHeaders, Body: restBody,
		RequestID: "deef4878-7910-11e6-8f14-25afc3e9ae33", Stage: "testStage",
	}

	want := map[string]struct {
		req     *seenRequest // nil: the event must be refused with err
		wantErr error
	}{
		"events/testdata/alb-lambda-target-request-headers-only.json": {req: &seenRequest{
			Source: lambda.SourceALB, Method: "GET", Path: "/", RawQuery: "key=hello",
			Host: "lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com", RemoteAddr: "25.12.198.67:0",
			Headers: map[string]string{"X-Myheader": "123", "User-Agent": "curl/7.54.0"},
		}},
		"events/testdata/alb-lambda-target-request-multivalue-headers.json": {req: &seenRequest{
			Source: lambda.SourceALBMultiValue, Method: "GET", Path: "/", RawQuery: "key=hello",
			Host: "lambda-test-alb-1234567.us-east-1.elb.amazonaws.com", RemoteAddr: "72.21.198.67:0",
			Headers: map[string]string{"X-Myheader": "123", "User-Agent": "curl/7.54.0"},
		}},
		"events/testdata/apigw-request.json":                      {req: rest},
		"events/testdata/apigw-restapi-openapi-request.json":      {req: rest},
		"events/testdata/apigw-v2-request-iam.json":               {req: v2()},
		"events/testdata/apigw-v2-request-jwt-authorizer.json":    {req: v2()},
		"events/testdata/apigw-v2-request-lambda-authorizer.json": {req: v2()},
		"events/testdata/apigw-v2-request-no-authorizer.json": {req: &seenRequest{
			Source: lambda.SourceAPIGatewayV2, Method: "GET", Path: "/",
			Host: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com", RemoteAddr: "1.2.3.4:0", HTTPS: true,
			Headers:   map[string]string{"Content-Length": "0", "User-Agent": "curl/7.58.0"},
			RequestID: "LV7fzho-PHcEJPw=", Stage: "$default",
		}},
		"events/testdata/lambda-urls-request.json": {req: &seenRequest{
			Source: lambda.SourceFunctionURL, Method: "POST", Path: "/my/path",
			RawQuery: "parameter1=value1&parameter1=value2&parameter2=value",
			Host:     "<url-id>.lambda-url.us-west-2.on.aws", RemoteAddr: "123.123.123.123:0", HTTPS: true,
			Cookie: []string{"cookie1; cookie2"}, Cookies: []string{"cookie1=", "cookie2="},
			// A comma-joined header stays one value: splitting on commas
			// is what breaks cookie values elsewhere.
			Headers: map[string]string{"Header1": "value1", "Header2": "value1,value2"},
			Body:    "Hello from client!", RequestID: "id",
		}},
		"lambdaurl/testdata/function-url-domain-only-get-request.json":                {req: furlGet("deeb7e49-a9a8-4a8f-bcd1-5482231e2087")},
		"lambdaurl/testdata/function-url-domain-only-get-request-trailing-slash.json": {req: furlGet("3a72f39b-d6bd-4a4f-b040-f94d09b4daa3")},
		"lambdaurl/testdata/function-url-domain-only-request-with-base64-encoded-body.json": {req: &seenRequest{
			Source: lambda.SourceFunctionURL, Method: "POST", Path: "/",
			Host: "lambda-url-id.lambda-url.us-west-2.on.aws", RemoteAddr: "127.0.0.1:0", HTTPS: true,
			Headers: map[string]string{"Content-Type": "idk", "Content-Length": "6"},
			Body:    "<idk/>", RequestID: "9701a3d4-36ad-40bd-bf0b-a525c987d27f", Stage: "$default",
		}},
		"lambdaurl/testdata/function-url-request-with-headers-and-cookies-and-text-body.json": {req: &seenRequest{
			Source: lambda.SourceFunctionURL, Method: "POST", Path: "/hello", RawQuery: "hello=world&foo=bar",
			Host: "lambda-url-id.lambda-url.us-west-2.on.aws", RemoteAddr: "127.0.0.1:0", HTTPS: true,
			// A real capture with both the cookies array and a cookie
			// header: each cookie arrives once.
			Cookie: []string{"foo=bar; hello=hello"}, Cookies: []string{"foo=bar", "hello=hello"},
			Headers: map[string]string{"Header2": "h1,h2", "Header3": "h3", "Content-Type": "application/json"},
			Body:    `{"hello": "world"}`, RequestID: "5bbd0e3e-fe7a-4299-9076-32d4de45391b", Stage: "$default",
		}},

		// Not HTTP requests: refused, never guessed at.
		"events/testdata/alb-lambda-target-response.json":             {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-response.json":                         {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/lambda-urls-response.json":                   {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-custom-auth-request.json":              {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-custom-auth-request-type-request.json": {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-custom-auth-response.json":             {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-v2-custom-authorizer-v1-request.json":  {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-v2-custom-authorizer-v2-request.json":  {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-websocket-request.json":                {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-websocket-request-disconnect.json":     {wantErr: lambda.ErrUnsupportedEvent},
		"events/testdata/apigw-websocket-request-send-message.json":   {wantErr: lambda.ErrUnsupportedEvent},
	}

	covered := map[string]bool{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		rel = filepath.ToSlash(rel)
		covered[rel] = true
		tc, ok := want[rel]
		if !ok {
			t.Errorf("%s: no expectation; add one to this table", rel)
			continue
		}
		t.Run(rel, func(t *testing.T) {
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h := &recorder{
				header:     http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Multi": {"a", "b"}},
				setCookies: []string{"seen=1; Path=/; HttpOnly"},
				body:       []byte("ok"),
			}
			out, err := lambda.New(h).Invoke(context.Background(), payload)
			if tc.req == nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Invoke error = %v, want %v", err, tc.wantErr)
				}
				if h.last() != nil {
					t.Fatal("handler ran for a refused event")
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			got := h.last()
			if got == nil {
				t.Fatal("handler did not run")
			}
			// Compare only the headers the expectation names.
			sub := map[string]string{}
			for k := range tc.req.Headers {
				sub[k] = got.Headers[k]
			}
			gotCmp := *got
			gotCmp.Headers = sub
			if diff := cmp.Diff(tc.req, &gotCmp); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
			checkResponseShape(t, tc.req.Source, out, []string{"seen=1; Path=/; HttpOnly"}, "ok")
		})
	}
	for rel := range want {
		if !covered[rel] {
			t.Errorf("%s: expected sample file not found under %s", rel, dir)
		}
	}
	if len(files) == 0 {
		t.Errorf("no sample files under %s; the glob patterns no longer match aws-lambda-go's layout", dir)
	}
}

// checkResponseShape decodes a response and checks that Set-Cookies sit
// where the source needs them, one entry each, and nowhere else.
func checkResponseShape(t *testing.T, src lambda.Source, out []byte, wantCookies []string, wantBody string) map[string]json.RawMessage {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	var resp struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	var got []string
	switch src {
	case lambda.SourceAPIGatewayV2, lambda.SourceFunctionURL:
		got = resp.Cookies
		if _, ok := top["multiValueHeaders"]; ok {
			t.Error("v2 response has multiValueHeaders")
		}
		for k := range resp.Headers {
			if strings.EqualFold(k, "Set-Cookie") {
				t.Errorf("v2 response carries Set-Cookie in headers")
			}
		}
	case lambda.SourceAPIGatewayV1, lambda.SourceALBMultiValue:
		got = resp.MultiValueHeaders["Set-Cookie"]
		if _, ok := top["headers"]; ok {
			t.Error("multi-value response also has headers")
		}
		for k := range resp.MultiValueHeaders {
			if k != "Set-Cookie" && strings.EqualFold(k, "Set-Cookie") {
				t.Errorf("multiValueHeaders has a second Set-Cookie key %q", k)
			}
		}
	case lambda.SourceALB:
		if c, ok := resp.Headers["Set-Cookie"]; ok {
			got = []string{c}
		}
		for k := range resp.Headers {
			if k != "Set-Cookie" && strings.EqualFold(k, "Set-Cookie") {
				t.Errorf("headers has a second Set-Cookie key %q", k)
			}
		}
		if _, ok := top["multiValueHeaders"]; ok {
			t.Error("single-value ALB response has multiValueHeaders")
		}
	}
	if src != lambda.SourceAPIGatewayV2 && src != lambda.SourceFunctionURL {
		if _, ok := top["cookies"]; ok {
			t.Errorf("%v response has a top-level cookies key (API Gateway REST and ALB answer 502)", src)
		}
	}
	if src == lambda.SourceALB || src == lambda.SourceALBMultiValue {
		if _, ok := top["statusDescription"]; !ok {
			t.Error("ALB response without statusDescription")
		}
	}
	if !slices.Equal(got, wantCookies) {
		t.Errorf("Set-Cookies = %q, want %q", got, wantCookies)
	}
	if !resp.IsBase64Encoded && resp.Body != wantBody {
		t.Errorf("body = %q, want %q", resp.Body, wantBody)
	}
	if resp.StatusCode == 0 {
		t.Error("no statusCode")
	}
	return top
}
