package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readStream splits an http-integration-response stream into its
// prelude and body, as the Lambda service does.
func readStream(t *testing.T, r io.Reader) (prelude map[string]any, body []byte, err error) {
	t.Helper()
	all, err := io.ReadAll(r)
	i := bytes.Index(all, make([]byte, 8))
	if i < 0 {
		t.Fatalf("no 8-NUL separator in %q", all)
	}
	if jerr := json.Unmarshal(all[:i], &prelude); jerr != nil {
		t.Fatalf("prelude %q: %v", all[:i], jerr)
	}
	return prelude, all[i+8:], err
}

func TestStreamingFunctionURL(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join("testdata", "functionurl-cookies-and-cookie-header.json"))
	if err != nil {
		t.Fatal(err)
	}
	quiet := WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	tests := []struct {
		name        string
		h           http.HandlerFunc
		wantStatus  float64
		wantCookies []any
		wantBody    string
		wantErr     error // from Invoke before any prelude
		wantReadErr error // from the stream after the prelude
	}{
		{
			name: "cookies and a flushed body",
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("Set-Cookie", "session.0=a,b; Path=/")
				w.Header().Add("Set-Cookie", "session.1=c; Path=/")
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte("part1 "))
				w.(http.Flusher).Flush()
				w.Write([]byte("part2"))
			},
			wantStatus: 201, wantCookies: []any{"session.0=a,b; Path=/", "session.1=c; Path=/"}, wantBody: "part1 part2",
		},
		{
			name: "Set-Cookie under a non-canonical key",
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["set-cookie"] = []string{"session.0=a,b; Path=/", "session.1=c; Path=/"}
				w.Write([]byte("ok"))
			},
			wantStatus: 200, wantCookies: []any{"session.0=a,b; Path=/", "session.1=c; Path=/"}, wantBody: "ok",
		},
		{
			name:       "handler that writes nothing",
			h:          func(w http.ResponseWriter, r *http.Request) {},
			wantStatus: 200,
		},
		{
			name:    "panic before the prelude",
			h:       func(w http.ResponseWriter, r *http.Request) { panic("boom") },
			wantErr: ErrHandlerPanic,
		},
		{
			name: "panic mid-body",
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte("half"))
				panic("boom")
			},
			wantStatus: 200, wantBody: "half", wantReadErr: ErrHandlerPanic,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(tc.h, WithResponseStreaming(), quiet)
			r, err := a.invokeReader(context.Background(), payload)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ct, ok := r.(interface{ ContentType() string })
			if !ok || ct.ContentType() != "application/vnd.awslambda.http-integration-response" {
				t.Fatalf("stream reader %T does not declare the streaming content type", r)
			}
			prelude, body, rerr := readStream(t, r)
			if !errors.Is(rerr, tc.wantReadErr) {
				t.Errorf("read error = %v, want %v", rerr, tc.wantReadErr)
			}
			if prelude["statusCode"] != tc.wantStatus {
				t.Errorf("statusCode = %v, want %v", prelude["statusCode"], tc.wantStatus)
			}
			if hs, _ := prelude["headers"].(map[string]any); hs != nil {
				for k := range hs {
					if strings.EqualFold(k, "Set-Cookie") {
						t.Errorf("prelude headers carry %q", k)
					}
				}
			}
			got, _ := prelude["cookies"].([]any)
			if !slices.Equal(got, tc.wantCookies) {
				t.Errorf("cookies = %v, want %v", got, tc.wantCookies)
			}
			if string(body) != tc.wantBody {
				t.Errorf("body = %q, want %q", body, tc.wantBody)
			}
		})
	}
}

// TestStreamingOtherSources: with streaming on, events that cannot take
// a stream are still answered buffered, as JSON.
func TestStreamingOtherSources(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join("testdata", "rest-v1-cookies.json"))
	if err != nil {
		t.Fatal(err)
	}
	a := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }), WithResponseStreaming())
	r, err := a.invokeReader(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	if ct := r.(interface{ ContentType() string }).ContentType(); ct != "application/json" {
		t.Errorf("content type = %q", ct)
	}
	b, _ := io.ReadAll(r)
	var resp v1Response
	if err := json.Unmarshal(b, &resp); err != nil || resp.Body != "ok" {
		t.Errorf("buffered response %q: %v", b, err)
	}
}
