package lambdaproxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/crumbkit/crumb/lambda"
	"github.com/google/go-cmp/cmp"
)

var (
	// The cookies in every crumb testdata event, as a handler must see
	// them: once each, commas intact.
	chunk0      = "session.0=" + strings.Repeat("A", 40) + ",x"
	chunk1      = "session.1=" + strings.Repeat("B", 40)
	chunk2      = "session.2=" + strings.Repeat("C,c", 10)
	wantCookies = []string{"theme=dark", "prefs=a,b,c", chunk0, chunk1, chunk2}

	// What the handler answers: a chunked session rewritten one chunk
	// shorter, and a flash cleared with an Expires date (a comma).
	setCookies = []string{
		"session.0=" + strings.Repeat("x", 64) + "; Path=/; HttpOnly; Secure",
		"session.1=" + strings.Repeat("y", 20) + "; Path=/; HttpOnly; Secure",
		"session.2=; Path=/; Max-Age=0; HttpOnly; Secure",
		"flash=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
	}
)

type kind int

const (
	restV1 kind = iota
	httpV2      // HTTP APIs and Function URLs share the 2.0 shape
	albSingle
	albMulti
)

// outcome is what the application and the browser end up with.
type outcome struct {
	// Cookies is r.Cookies() in the handler, as name=value.
	Cookies []string
	// SetCookies is what the front door delivers to the browser, read
	// from the response fields it uses for that event type.
	SetCookies []string
	Err        error
}

type recorder struct{ cookies []string }

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, c := range r.Cookies() {
		h.cookies = append(h.cookies, c.Name+"="+c.Value)
	}
	for _, c := range setCookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}

// delivered reads the Set-Cookies out of a response JSON the way each
// front door does: HTTP APIs and Function URLs read "cookies" (and
// headers); REST APIs merge "headers" and "multiValueHeaders"; an ALB
// reads "multiValueHeaders" when the target group has multi-value
// headers on, and only "headers" when it is off.
func delivered(k kind, out []byte) []string {
	var r struct {
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil
	}
	var got []string
	single := func() {
		for name, v := range r.Headers {
			if strings.EqualFold(name, "Set-Cookie") {
				got = append(got, v)
			}
		}
	}
	multi := func() {
		for name, vs := range r.MultiValueHeaders {
			if strings.EqualFold(name, "Set-Cookie") {
				got = append(got, vs...)
			}
		}
	}
	switch k {
	case httpV2:
		got = append(got, r.Cookies...)
		single()
	case restV1:
		multi()
		if len(got) == 0 {
			single()
		}
	case albMulti:
		multi()
	case albSingle:
		single()
	}
	return got
}

func runCrumb(t *testing.T, k kind, payload []byte) outcome {
	h := &recorder{}
	quiet := lambda.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	out, err := lambda.New(h, quiet).Invoke(context.Background(), payload)
	if err != nil {
		return outcome{Cookies: h.cookies, Err: err}
	}
	return outcome{Cookies: h.cookies, SetCookies: delivered(k, out)}
}

func runProxy(t *testing.T, k kind, payload []byte) outcome {
	h := &recorder{}
	var (
		resp any
		err  error
	)
	switch k {
	case httpV2:
		var e events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &e); err != nil {
			t.Fatal(err)
		}
		resp, err = httpadapter.NewV2(h).ProxyWithContext(context.Background(), e)
	case restV1:
		var e events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &e); err != nil {
			t.Fatal(err)
		}
		resp, err = httpadapter.New(h).ProxyWithContext(context.Background(), e)
	default:
		var e events.ALBTargetGroupRequest
		if err := json.Unmarshal(payload, &e); err != nil {
			t.Fatal(err)
		}
		resp, err = httpadapter.NewALB(h).ProxyWithContext(context.Background(), e)
	}
	if err != nil {
		return outcome{Cookies: h.cookies, Err: err}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return outcome{Cookies: h.cookies, SetCookies: delivered(k, out)}
}

func crumbTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "lambda", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// functionURLCapture is one of the real Function URL captures that
// aws-lambda-go ships: both a cookies array and a cookie header.
func functionURLCapture(t *testing.T) []byte {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("locating aws-lambda-go: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "lambdaurl", "testdata",
		"function-url-request-with-headers-and-cookies-and-text-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCookieCases runs the same events through both adapters. crumb must
// get every case right; for the proxy the test pins its actual output,
// wrong where it is wrong, so that it fails (and this comparison gets
// revisited) if a later proxy version fixes a case.
func TestCookieCases(t *testing.T) {
	// What aws-lambda-go-api-proxy v0.16.2 hands the handler for an
	// event with both the cookies array and this cookie header: the
	// array's entries, then the header split on every comma.
	proxyFunctionURLCookies := append(append([]string{}, wantCookies...),
		"theme=dark", "prefs=a", "b=", "c=",
		"session.0="+strings.Repeat("A", 40), "x=",
		chunk1, "session.2=C",
		"cC=", "cC=", "cC=", "cC=", "cC=", "cC=", "cC=", "cC=", "cC=", "c=")

	tests := []struct {
		name      string
		kind      kind
		payload   []byte
		wantCrumb outcome
		wantProxy outcome
		proxyOK   bool // the proxy gets this case right too
	}{
		{
			name: "Function URL: cookies array and cookie header, commas in values, chunks",
			kind: httpV2, payload: crumbTestdata(t, "functionurl-cookies-and-cookie-header.json"),
			wantCrumb: outcome{Cookies: wantCookies, SetCookies: setCookies},
			wantProxy: outcome{Cookies: proxyFunctionURLCookies, SetCookies: setCookies},
		},
		{
			name: "Function URL: aws-lambda-go's real capture",
			kind: httpV2, payload: functionURLCapture(t),
			wantCrumb: outcome{Cookies: []string{"foo=bar", "hello=hello"}, SetCookies: setCookies},
			// Every cookie twice.
			wantProxy: outcome{Cookies: []string{"foo=bar", "hello=hello", "foo=bar", "hello=hello"}, SetCookies: setCookies},
		},
		{
			name: "HTTP API v2: cookies array only",
			kind: httpV2, payload: crumbTestdata(t, "httpapi-v2-cookies-stage.json"),
			wantCrumb: outcome{Cookies: wantCookies, SetCookies: setCookies},
			wantProxy: outcome{Cookies: wantCookies, SetCookies: setCookies}, proxyOK: true,
		},
		{
			name: "REST v1: cookie header with commas, several Set-Cookies",
			kind: restV1, payload: crumbTestdata(t, "rest-v1-cookies.json"),
			wantCrumb: outcome{Cookies: wantCookies, SetCookies: setCookies},
			wantProxy: outcome{Cookies: wantCookies, SetCookies: setCookies}, proxyOK: true,
		},
		{
			name: "ALB multi-value: several Set-Cookies",
			kind: albMulti, payload: crumbTestdata(t, "alb-multivalue-cookies.json"),
			wantCrumb: outcome{Cookies: wantCookies, SetCookies: setCookies},
			wantProxy: outcome{Cookies: wantCookies, SetCookies: setCookies}, proxyOK: true,
		},
		{
			// A single-value target group can carry one Set-Cookie. crumb
			// refuses the response with an error; the proxy answers in
			// multiValueHeaders, which such a target group does not read,
			// so the browser gets none of the four and the session is
			// silently not updated (nor, at logout, cleared).
			name: "ALB single-value: several Set-Cookies",
			kind: albSingle, payload: crumbTestdata(t, "alb-single-value-cookies.json"),
			wantCrumb: outcome{Cookies: wantCookies, Err: lambda.ErrSingleValueSetCookie},
			wantProxy: outcome{Cookies: wantCookies, SetCookies: nil},
		},
	}
	errorsIs := cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || errors.Is(b, a) })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crumb := runCrumb(t, tc.kind, tc.payload)
			if diff := cmp.Diff(tc.wantCrumb, crumb, errorsIs); diff != "" {
				t.Errorf("crumb (-want +got):\n%s", diff)
			}
			proxy := runProxy(t, tc.kind, tc.payload)
			if diff := cmp.Diff(tc.wantProxy, proxy, errorsIs); diff != "" {
				t.Errorf("aws-lambda-go-api-proxy no longer behaves as pinned (-pinned +got):\n%s", diff)
			}
			if proxyRight := cmp.Equal(tc.wantCrumb, proxy, errorsIs); proxyRight != tc.proxyOK {
				t.Errorf("proxy correct = %v, table says %v", proxyRight, tc.proxyOK)
			}
			verdict := "proxy WRONG"
			if tc.proxyOK {
				verdict = "both right"
			}
			t.Logf("%s: crumb right; %s (handler saw %d cookies, want %d; browser gets %d Set-Cookies, want %d)",
				tc.name, verdict, len(proxy.Cookies), len(tc.wantCrumb.Cookies), len(proxy.SetCookies), len(setCookies))
		})
	}
}

// BenchmarkInvoke measures one HTTP API invocation, event JSON in and
// response JSON out, through each adapter.
func BenchmarkInvoke(b *testing.B) {
	payload, err := os.ReadFile(filepath.Join("..", "..", "lambda", "testdata", "httpapi-v2-cookies-stage.json"))
	if err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Cookies()
		for _, c := range setCookies {
			w.Header().Add("Set-Cookie", c)
		}
		w.Write([]byte("ok"))
	})
	b.Run("crumb", func(b *testing.B) {
		a := lambda.New(h)
		for b.Loop() {
			if _, err := a.Invoke(context.Background(), payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("aws-lambda-go-api-proxy", func(b *testing.B) {
		a := httpadapter.NewV2(h)
		for b.Loop() {
			// Decoding and encoding are part of an invocation; the proxy
			// leaves them to aws-lambda-go, so count them here.
			var e events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(payload, &e); err != nil {
				b.Fatal(err)
			}
			resp, err := a.ProxyWithContext(context.Background(), e)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
