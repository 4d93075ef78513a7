package lambda_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/lambda"
)

var quiet = lambda.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// v2Event builds an HTTP API payload 2.0 event.
func v2Event(method, rawPath, rawQuery string, headers map[string]string, body []byte, b64 bool) []byte {
	e := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": rawPath, "rawQueryString": rawQuery,
		"headers": headers, "isBase64Encoded": b64,
		"requestContext": map[string]any{
			"domainName": "api.execute-api.us-east-1.amazonaws.com", "requestId": "r1", "stage": "$default",
			"http": map[string]any{"method": method, "path": rawPath, "protocol": "HTTP/1.1", "sourceIp": "2001:db8::1"},
		},
	}
	if b64 {
		e["body"] = base64.StdEncoding.EncodeToString(body)
	} else {
		e["body"] = string(body)
	}
	b, _ := json.Marshal(e)
	return b
}

// v1Event builds a REST API payload 1.0 event.
func v1Event(method, path string) []byte {
	b, _ := json.Marshal(map[string]any{
		"httpMethod": method, "path": path, "resource": "/{proxy+}",
		"multiValueHeaders": map[string][]string{"Host": {"x.example.com"}},
		"requestContext":    map[string]any{"requestId": "r1", "stage": "prod", "path": "/prod" + path, "identity": map[string]any{"sourceIp": "192.0.2.1"}},
	})
	return b
}

type v2Resp struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Cookies         []string          `json:"cookies"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

func decodeV2(t *testing.T, out []byte) v2Resp {
	t.Helper()
	var r v2Resp
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %q: %v", out, err)
	}
	return r
}

func (r v2Resp) body(t *testing.T) []byte {
	t.Helper()
	if !r.IsBase64Encoded {
		return []byte(r.Body)
	}
	b, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBase64FormPost(t *testing.T) {
	var user, note, base string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, note = r.PostFormValue("user"), r.PostFormValue("note")
		ev, _ := lambda.EventFromContext(r.Context())
		base = ev.BasePath
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	out, err := lambda.New(h).Invoke(context.Background(), readTestdata(t, "httpapi-v2-base64-form-post.json"))
	if err != nil {
		t.Fatal(err)
	}
	if user != "ann" || note != "a,b" {
		t.Errorf("form = %q %q, want ann a,b", user, note)
	}
	if base != "/prod" {
		t.Errorf("BasePath = %q, want /prod", base)
	}
	if r := decodeV2(t, out); r.StatusCode != http.StatusSeeOther || r.Headers["Location"] != "/" {
		t.Errorf("response = %+v", r)
	}
}

func TestResponseBodies(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
	tests := []struct {
		name       string
		header     http.Header
		body       []byte
		wantB64    bool
		wantCT     string
		wantStatus int
		status     int
	}{
		{name: "text", header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, body: []byte("<p>hé</p>"), wantCT: "text/html; charset=utf-8"},
		{name: "json", header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"a":1}`), wantCT: "application/json"},
		{name: "binary", header: http.Header{"Content-Type": {"image/png"}}, body: png, wantB64: true, wantCT: "image/png"},
		{name: "sniffed binary", body: png, wantB64: true, wantCT: "image/png"},
		{name: "sniffed text", body: []byte("hello"), wantCT: "text/plain; charset=utf-8"},
		{name: "gzip text", header: http.Header{"Content-Type": {"text/plain"}, "Content-Encoding": {"gzip"}}, body: []byte("\x1f\x8b\x08\x00"), wantB64: true, wantCT: "text/plain"},
		{name: "invalid utf-8 as text", header: http.Header{"Content-Type": {"text/plain"}}, body: []byte{0xff, 0xfe, 'a'}, wantB64: true, wantCT: "text/plain"},
		{name: "no content", status: http.StatusNoContent, wantStatus: http.StatusNoContent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header()[k] = v
				}
				if tc.status != 0 {
					w.WriteHeader(tc.status)
				}
				w.Write(tc.body)
			})
			out, err := lambda.New(h).Invoke(context.Background(), v2Event("GET", "/", "", nil, nil, false))
			if err != nil {
				t.Fatal(err)
			}
			r := decodeV2(t, out)
			if r.IsBase64Encoded != tc.wantB64 {
				t.Errorf("isBase64Encoded = %v, want %v", r.IsBase64Encoded, tc.wantB64)
			}
			want := tc.body
			if tc.status == http.StatusNoContent {
				want = nil
			}
			if got := r.body(t); !bytes.Equal(got, want) {
				t.Errorf("body = %q, want %q", got, want)
			}
			if r.Headers["Content-Type"] != tc.wantCT {
				t.Errorf("Content-Type = %q, want %q", r.Headers["Content-Type"], tc.wantCT)
			}
			if ws := tc.wantStatus; ws != 0 && r.StatusCode != ws {
				t.Errorf("status = %d, want %d", r.StatusCode, ws)
			}
		})
	}
}

func TestBinaryRequestBody(t *testing.T) {
	in := []byte{0, 1, 2, 0xff, 0xfe, '\n'}
	var got []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if r.ContentLength != int64(len(in)) {
			t.Errorf("ContentLength = %d", r.ContentLength)
		}
	})
	if _, err := lambda.New(h).Invoke(context.Background(), v2Event("PUT", "/up", "", map[string]string{"content-type": "application/octet-stream"}, in, true)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, in) {
		t.Errorf("body = %v, want %v", got, in)
	}
}

func TestRequestShape(t *testing.T) {
	var r0 *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { r0 = r })
	ev := v2Event("GET", "/files/a%2Fb/c%20d", "q=a%2Cb&q=2", map[string]string{"host": "example.com", "x-forwarded-proto": "https"}, nil, false)
	if _, err := lambda.New(h).Invoke(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Path", r0.URL.Path, "/files/a/b/c d"},
		{"EscapedPath", r0.URL.EscapedPath(), "/files/a%2Fb/c%20d"},
		{"RequestURI", r0.RequestURI, "/files/a%2Fb/c%20d?q=a%2Cb&q=2"},
		{"Query q", strings.Join(r0.URL.Query()["q"], "|"), "a,b|2"},
		{"RemoteAddr", r0.RemoteAddr, "[2001:db8::1]:0"},
		{"Host", r0.Host, "example.com"},
		{"Proto", r0.Proto, "HTTP/1.1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if r0.TLS == nil {
		t.Error("TLS is nil for an HTTPS request")
	}
	if r0.Body != http.NoBody {
		t.Error("empty body is not http.NoBody")
	}
}

func TestMultiValueResponseHeaders(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
	})
	out, err := lambda.New(h).Invoke(context.Background(), v1Event("GET", "/x"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	}
	json.Unmarshal(out, &r)
	if got := strings.Join(r.MultiValueHeaders["Vary"], "|"); got != "Cookie|Accept" {
		t.Errorf("Vary = %q", got)
	}
	out, err = lambda.New(h).Invoke(context.Background(), v2Event("GET", "/", "", nil, nil, false))
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeV2(t, out); r.Headers["Vary"] != "Cookie,Accept" || len(r.Cookies) != 2 {
		t.Errorf("v2 response = %+v", r)
	}
}

func TestLambdaContextReachable(t *testing.T) {
	var id, arn, apiID string
	var dl time.Time
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, arn = lambda.RequestID(r.Context()), lambda.FunctionARN(r.Context())
		ev, _ := lambda.EventFromContext(r.Context())
		apiID = ev.RequestID
		dl, _ = r.Context().Deadline()
	})
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(lambda.NewContext(context.Background(),
		&lambda.LambdaContext{AwsRequestID: "aws-req-1", InvokedFunctionArn: "arn:aws:lambda:us-east-1:1:function:f"}), deadline)
	defer cancel()
	if _, err := lambda.New(h, lambda.WithDeadlineMargin(time.Second)).Invoke(ctx, v2Event("GET", "/", "", nil, nil, false)); err != nil {
		t.Fatal(err)
	}
	if id != "aws-req-1" || arn != "arn:aws:lambda:us-east-1:1:function:f" || apiID != "r1" {
		t.Errorf("RequestID %q, FunctionARN %q, event RequestID %q", id, arn, apiID)
	}
	if !dl.Equal(deadline.Add(-time.Second)) {
		t.Errorf("handler deadline = %v, want the invocation deadline less the margin (%v)", dl, deadline.Add(-time.Second))
	}
}

func TestInvocationErrors(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 7<<20)
	tests := []struct {
		name    string
		h       http.HandlerFunc
		opts    []lambda.Option
		event   []byte
		wantErr error
	}{
		{name: "panic", h: func(w http.ResponseWriter, r *http.Request) { panic("boom") }, wantErr: lambda.ErrHandlerPanic},
		{name: "panic after write", h: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("half")); panic("boom") }, wantErr: lambda.ErrHandlerPanic},
		{name: "abort handler", h: func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }, wantErr: lambda.ErrHandlerPanic},
		{name: "too large", h: func(w http.ResponseWriter, r *http.Request) { w.Write(big) }, wantErr: lambda.ErrResponseTooLarge},
		{name: "too large in pieces", h: func(w http.ResponseWriter, r *http.Request) {
			for range 8 {
				w.Write(big[:1<<20])
			}
		}, wantErr: lambda.ErrResponseTooLarge},
		// Base64 grows a binary body by a third: 5 MB of binary is 6.7 MB encoded.
		{name: "too large once encoded", h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(big[:5<<20])
		}, wantErr: lambda.ErrResponseTooLarge},
		{name: "custom limit", opts: []lambda.Option{lambda.WithMaxResponseBytes(100)},
			h: func(w http.ResponseWriter, r *http.Request) { w.Write(big[:200]) }, wantErr: lambda.ErrResponseTooLarge},
		{name: "ALB 1 MB limit", event: readTestdata(t, "alb-multivalue-cookies.json"),
			h: func(w http.ResponseWriter, r *http.Request) { w.Write(big[:2<<20]) }, wantErr: lambda.ErrResponseTooLarge},
		{name: "malformed JSON", event: []byte(`{"version":`), wantErr: lambda.ErrMalformedEvent},
		{name: "not an object", event: []byte(`"hello"`), wantErr: lambda.ErrMalformedEvent},
		{name: "empty object", event: []byte(`{}`), wantErr: lambda.ErrUnsupportedEvent},
		{name: "bad base64 body", event: []byte(`{"version":"2.0","rawPath":"/","body":"!!","isBase64Encoded":true,"requestContext":{"http":{"method":"POST"}}}`), wantErr: lambda.ErrMalformedEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			if h == nil {
				h = func(w http.ResponseWriter, r *http.Request) { t.Error("handler ran") }
			}
			ev := tc.event
			if ev == nil {
				ev = v2Event("GET", "/", "", nil, nil, false)
			}
			a := lambda.New(h, append([]lambda.Option{quiet}, tc.opts...)...)
			out, err := a.Invoke(context.Background(), ev)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Invoke = %q, %v; want error %v", out, err, tc.wantErr)
			}
			if out != nil {
				t.Errorf("partial response %q returned with the error", out)
			}
		})
	}
}

// TestDeadline: a handler that ignores its context is abandoned at the
// deadline less the margin, and the next invocation is served.
func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stuck" {
			<-release
			w.Write([]byte("too late")) // must be harmless
			return
		}
		w.Write([]byte("ok"))
	})
	a := lambda.New(h, quiet, lambda.WithDeadlineMargin(50*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := a.Invoke(ctx, v2Event("GET", "/stuck", "", nil, nil, false))
	if !errors.Is(err, lambda.ErrDeadline) {
		t.Fatalf("err = %v, want ErrDeadline", err)
	}
	if !strings.Contains(err.Error(), "/stuck") {
		t.Errorf("error %q does not say which request", err)
	}
	// An invocation whose deadline has already passed never starts.
	past, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if _, err := a.Invoke(past, v2Event("GET", "/", "", nil, nil, false)); !errors.Is(err, lambda.ErrDeadline) {
		t.Errorf("expired invocation: err = %v, want ErrDeadline", err)
	}
	out, err := a.Invoke(context.Background(), v2Event("GET", "/", "", nil, nil, false))
	if err != nil || decodeV2(t, out).Body != "ok" {
		t.Fatalf("next invocation: %q, %v", out, err)
	}
}

func TestBadRequestPath(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler ran") })
	out, err := lambda.New(h).Invoke(context.Background(), v2Event("GET", "/%zz", "", nil, nil, false))
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeV2(t, out); r.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", r.StatusCode)
	}
}

// FuzzInvoke: no event, however garbled, panics the adapter or makes the
// handler see a request that net/http could not have produced.
func FuzzInvoke(f *testing.F) {
	// Small seeds, one per source: the fuzzer minimizes every new input,
	// and large seeds make that outlast a short -fuzztime.
	f.Add([]byte(`{"version":"2.0","rawPath":"/a%2Fb","rawQueryString":"q=1","cookies":["a=1","b=x,y"],"headers":{"cookie":"a=1"},"requestContext":{"domainName":"u.lambda-url.x.on.aws","http":{"method":"GET","sourceIp":"1.2.3.4"}}}`))
	f.Add([]byte(`{"httpMethod":"POST","path":"/p","multiValueHeaders":{"Cookie":["a=1; b=2"]},"multiValueQueryStringParameters":{"a":["1","2"]},"body":"eA==","isBase64Encoded":true,"requestContext":{"requestId":"r","path":"/prod/p","identity":{"sourceIp":"::1"}}}`))
	f.Add([]byte(`{"httpMethod":"GET","path":"/x","headers":{"cookie":"a=1","x-forwarded-for":"1.1.1.1, 2.2.2.2"},"queryStringParameters":{"k":"%20"},"requestContext":{"elb":{}}}`))
	f.Add([]byte(`{"httpMethod":"GET","path":"%","requestContext":{"elb":{}}}`))
	a := lambda.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL == nil || r.Header == nil || r.Body == nil {
			panic("incomplete request")
		}
		io.Copy(io.Discard, r.Body)
		r.Cookies()
		w.Write([]byte("ok"))
	}), quiet)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(context.Background(), payload)
		if errors.Is(err, lambda.ErrHandlerPanic) {
			t.Fatalf("handler saw an incomplete request: %v", err)
		}
		if err == nil && !json.Valid(out) {
			t.Fatalf("response is not JSON: %q", out)
		}
	})
}

// TestTextTypes pins which media types go out as text rather than base64.
func TestTextTypes(t *testing.T) {
	tests := []struct {
		ct      string
		wantB64 bool
	}{
		{"text/html; charset=utf-8", false},
		{"image/svg+xml", false},
		{"application/ld+json", false},
		{"Application/JSON", false},
		{"application/x-www-form-urlencoded", false},
		{"application/octet-stream", true},
		{"image/png", true},
	}
	for _, tc := range tests {
		t.Run(tc.ct, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				w.Write([]byte("<ok/>"))
			})
			out, err := lambda.New(h).Invoke(context.Background(), v2Event("GET", "/", "", nil, nil, false))
			if err != nil {
				t.Fatal(err)
			}
			if r := decodeV2(t, out); r.IsBase64Encoded != tc.wantB64 || string(r.body(t)) != "<ok/>" {
				t.Errorf("isBase64Encoded = %v, body %q; want %v, <ok/>", r.IsBase64Encoded, r.body(t), tc.wantB64)
			}
		})
	}
}
