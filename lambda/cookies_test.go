package lambda_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/lambda"
	"github.com/google/go-cmp/cmp"
)

// The cookies every testdata event carries, as a handler must see them:
// each once, commas inside values intact, chunks in order.
var wantRequestCookies = []string{
	"theme=dark",
	"prefs=a,b,c",
	"session.0=" + strings.Repeat("A", 40) + ",x",
	"session.1=" + strings.Repeat("B", 40),
	"session.2=" + strings.Repeat("C,c", 10),
}

// The Set-Cookies the handler answers with: a chunked session being
// rewritten (one chunk shorter, the dropped chunk deleted), and a flash
// cookie cleared with an Expires date, which contains a comma.
var responseSetCookies = []string{
	"session.0=" + strings.Repeat("x", 64) + "; Path=/; HttpOnly; Secure; SameSite=Lax",
	"session.1=" + strings.Repeat("y", 20) + "; Path=/; HttpOnly; Secure; SameSite=Lax",
	"session.2=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
	"flash=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCookieCases(t *testing.T) {
	tests := []struct {
		file         string
		src          lambda.Source
		cookieLines  int // Cookie header lines the handler sees
		basePath     string
		wantErr      error // for the response with several Set-Cookies
		wantErrNames string
		singleQuery  bool // single-value events keep only the last value of a key
	}{
		{file: "functionurl-cookies-and-cookie-header.json", src: lambda.SourceFunctionURL, cookieLines: 1},
		{file: "httpapi-v2-cookies-stage.json", src: lambda.SourceAPIGatewayV2, cookieLines: 1, basePath: "/prod"},
		{file: "rest-v1-cookies.json", src: lambda.SourceAPIGatewayV1, cookieLines: 1, basePath: "/prod"},
		{file: "alb-multivalue-cookies.json", src: lambda.SourceALBMultiValue, cookieLines: 1},
		{file: "alb-single-value-cookies.json", src: lambda.SourceALB, cookieLines: 1,
			wantErr: lambda.ErrSingleValueSetCookie, wantErrNames: "session.0, session.1, session.2, flash", singleQuery: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			payload := readTestdata(t, tc.file)
			var (
				gotCookies []string
				gotLines   []string
				gotQuery   url.Values
				gotPath    string
				gotEvent   *lambda.Event
			)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, c := range r.Cookies() {
					gotCookies = append(gotCookies, c.Name+"="+c.Value)
				}
				gotLines = r.Header.Values("Cookie")
				gotQuery = r.URL.Query()
				gotPath = r.URL.Path
				gotEvent, _ = lambda.EventFromContext(r.Context())
				for _, c := range responseSetCookies {
					w.Header().Add("Set-Cookie", c)
				}
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Write([]byte("flash shown"))
			})
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			out, err := lambda.New(h, lambda.WithLogger(logger)).Invoke(context.Background(), payload)
			if strings.Contains(logs.String(), "xxxx") || strings.Contains(logs.String(), "AAAA") {
				t.Errorf("log leaks a cookie value: %s", logs.String())
			}

			// The request side holds for every source.
			if diff := cmp.Diff(wantRequestCookies, gotCookies); diff != "" {
				t.Errorf("request cookies (-want +got):\n%s", diff)
			}
			if len(gotLines) != tc.cookieLines {
				t.Errorf("Cookie header lines = %d, want %d (a duplicate means cookies arrive twice)", len(gotLines), tc.cookieLines)
			}
			wantQuery := url.Values{"a": {"1", "2"}, "b": {" x"}}
			if tc.singleQuery {
				wantQuery["a"] = []string{"2"}
			}
			if diff := cmp.Diff(wantQuery, gotQuery); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
			if gotPath != "/flash" {
				t.Errorf("path = %q, want /flash", gotPath)
			}
			if gotEvent == nil || gotEvent.Source != tc.src || gotEvent.BasePath != tc.basePath {
				t.Errorf("event = %+v, want source %v base path %q", gotEvent, tc.src, tc.basePath)
			}

			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Invoke error = %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErrNames) {
					t.Errorf("error %q does not name the cookies %q", err, tc.wantErrNames)
				}
				if strings.Contains(err.Error(), "xxxx") || strings.Contains(err.Error(), "yyyy") {
					t.Errorf("error %q leaks a cookie value", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			checkResponseShape(t, tc.src, out, responseSetCookies, "flash shown")
		})
	}
}

// TestALBSingleValueOneCookie: one Set-Cookie is what a single-value ALB
// target group can carry, and it goes through.
func TestALBSingleValueOneCookie(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "v,1", Path: "/"})
		w.Write([]byte("ok"))
	})
	out, err := lambda.New(h).Invoke(context.Background(), readTestdata(t, "alb-single-value-cookies.json"))
	if err != nil {
		t.Fatal(err)
	}
	// net/http quotes a value with a comma, as RFC 6265 allows.
	checkResponseShape(t, lambda.SourceALB, out, []string{`session="v,1"; Path=/`}, "ok")
}

// TestSeveralCookieHeaderLines: a REST API passes repeated Cookie lines
// (HTTP/2 clients send one per cookie) as separate values; all arrive.
func TestSeveralCookieHeaderLines(t *testing.T) {
	payload := readTestdata(t, "rest-v1-cookies.json")
	payload = []byte(strings.Replace(string(payload),
		`"Cookie": [`, `"Cookie": [
      "extra=1,2",`, 1))
	var got []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range r.Cookies() {
			got = append(got, c.Name+"="+c.Value)
		}
	})
	if _, err := lambda.New(h).Invoke(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
	want := append([]string{"extra=1,2"}, wantRequestCookies...)
	if !slices.Equal(got, want) {
		t.Errorf("cookies = %q, want %q", got, want)
	}
}

// TestSetCookieAnySpelling: a handler that stores Set-Cookie under a
// non-canonical key, bypassing Header.Add, still gets each cookie out as
// its own entry, never comma-joined into one header.
func TestSetCookieAnySpelling(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		src      lambda.Source
		header   http.Header
		want     []string
		wantErr  error
		errNames string
	}{
		{name: "HTTP API", file: "httpapi-v2-cookies-stage.json", src: lambda.SourceAPIGatewayV2,
			header: http.Header{"set-cookie": {"b=x,y; Path=/", "c=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
			want:   []string{"b=x,y; Path=/", "c=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
		// Canonical values first, then other spellings in sorted order.
		{name: "Function URL, three spellings", file: "functionurl-cookies-and-cookie-header.json", src: lambda.SourceFunctionURL,
			header: http.Header{"Set-Cookie": {"a=1"}, "set-cookie": {"b=x,y; Path=/", "c=3"}, "SET-COOKIE": {"d=4"}},
			want:   []string{"a=1", "d=4", "b=x,y; Path=/", "c=3"}},
		{name: "REST", file: "rest-v1-cookies.json", src: lambda.SourceAPIGatewayV1,
			header: http.Header{"Set-Cookie": {"a=1"}, "set-cookie": {"b=x,y; Path=/", "c=3"}},
			want:   []string{"a=1", "b=x,y; Path=/", "c=3"}},
		{name: "ALB multi-value", file: "alb-multivalue-cookies.json", src: lambda.SourceALBMultiValue,
			header: http.Header{"set-cookie": {"b=x,y; Path=/", "c=3"}},
			want:   []string{"b=x,y; Path=/", "c=3"}},
		{name: "ALB single-value, one cookie", file: "alb-single-value-cookies.json", src: lambda.SourceALB,
			header: http.Header{"set-cookie": {"b=x,y; Path=/"}},
			want:   []string{"b=x,y; Path=/"}},
		{name: "ALB single-value, two cookies under two spellings", file: "alb-single-value-cookies.json", src: lambda.SourceALB,
			header:  http.Header{"Set-Cookie": {"a=secretvalue1"}, "set-cookie": {"b=secretvalue2"}},
			wantErr: lambda.ErrSingleValueSetCookie, errNames: "cookies a, b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, vs := range tc.header {
					w.Header()[k] = vs
				}
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Write([]byte("ok"))
			})
			out, err := lambda.New(h, quiet).Invoke(context.Background(), readTestdata(t, tc.file))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.errNames) {
					t.Fatalf("err = %v, want %v naming %q", err, tc.wantErr, tc.errNames)
				}
				if strings.Contains(err.Error(), "secretvalue") {
					t.Errorf("error %q carries a cookie value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkResponseShape(t, tc.src, out, tc.want, "ok")
		})
	}
}

func TestCookieNamesInErrors(t *testing.T) {
	// A Set-Cookie without "=" is a nameless cookie whose whole text is
	// the value (as browsers read it), so the error must not quote it.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "nakedsecretvalue; Path=/")
	})
	_, err := lambda.New(h, quiet).Invoke(context.Background(), readTestdata(t, "alb-single-value-cookies.json"))
	if !errors.Is(err, lambda.ErrSingleValueSetCookie) {
		t.Fatalf("err = %v, want ErrSingleValueSetCookie", err)
	}
	if strings.Contains(err.Error(), "nakedsecretvalue") {
		t.Errorf("error %q carries a nameless cookie's value", err)
	}
	if !strings.Contains(err.Error(), "cookies a, (no name)") {
		t.Errorf("error %q does not list the cookies as a, (no name)", err)
	}
}
