package lambda

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// echoHandler echoes attacker-controlled text into header names and
// values, the way a handler copying a query parameter into a header
// would. net/http drops the invalid names and turns CR and LF in values
// into spaces; the proxy response must carry the same.
func echoHandler(cookies int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Echo"] = []string{"a\r\nSet-Cookie: evil=1"}
		h["X-Padded"] = []string{"  v \t"}
		h["x-lower"] = []string{"kept\n"}
		h["Bad Name"] = []string{"dropped"}
		h["X-Bad\r\nSet-Cookie"] = []string{"evil=2"}
		h["X:Colon"] = []string{"dropped"}
		h[""] = []string{"dropped"}
		h["Ünicode"] = []string{"dropped"}
		h["Set-Cookie"] = []string{"sid=1; Path=/\r\nSet-Cookie: evil=3"}
		if cookies > 1 {
			h["set-cookie"] = []string{"b=2\n; HttpOnly"}
		}
		h.Set("Content-Type", "text/plain\r\nX-Evil: 4")
		w.Write([]byte("ok"))
	}
}

// wantFields is what the proxy response must hold for echoHandler:
// the valid fields with cleaned values, and nothing else of the
// handler's.
var wantFields = map[string]string{
	"X-Echo":       "a  Set-Cookie: evil=1",
	"X-Padded":     "v",
	"x-lower":      "kept",
	"Content-Type": "text/plain  X-Evil: 4",
}

// fieldsAndCookies reads the header fields (single values; multi-value
// shapes must have one value per field here) and the Set-Cookie values
// out of a proxy response or stream prelude.
func fieldsAndCookies(t *testing.T, out []byte) (map[string]string, []string) {
	t.Helper()
	var r struct {
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %q: %v", out, err)
	}
	fields := map[string]string{}
	cookies := slices.Clone(r.Cookies)
	add := func(k, v string) {
		if strings.EqualFold(k, "Set-Cookie") {
			cookies = append(cookies, v)
			return
		}
		if _, dup := fields[k]; dup {
			t.Errorf("field %q twice", k)
		}
		fields[k] = v
	}
	for k, v := range r.Headers {
		add(k, v)
	}
	for k, vs := range r.MultiValueHeaders {
		for _, v := range vs {
			add(k, v)
		}
	}
	return fields, cookies
}

func TestResponseHeadersFollowNetHTTPRules(t *testing.T) {
	tests := []struct {
		file    string
		stream  bool
		cookies int // Set-Cookie values the handler sets
	}{
		{file: "rest-v1-cookies.json", cookies: 2},
		{file: "httpapi-v2-cookies-stage.json", cookies: 2},
		{file: "functionurl-cookies-and-cookie-header.json", cookies: 2},
		{file: "functionurl-cookies-and-cookie-header.json", stream: true, cookies: 2},
		{file: "alb-multivalue-cookies.json", cookies: 2},
		{file: "alb-single-value-cookies.json", cookies: 1}, // one Set-Cookie is all it carries
	}
	for _, tc := range tests {
		name := tc.file
		if tc.stream {
			name += "/streamed"
		}
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			if tc.stream {
				a := New(echoHandler(tc.cookies), WithResponseStreaming())
				r, err := a.invokeReader(context.Background(), payload)
				if err != nil {
					t.Fatal(err)
				}
				prelude, body, err := readStream(t, r)
				if err != nil || string(body) != "ok" {
					t.Fatalf("stream body %q: %v", body, err)
				}
				out, _ = json.Marshal(prelude)
			} else {
				out, err = New(echoHandler(tc.cookies)).Invoke(context.Background(), payload)
				if err != nil {
					t.Fatal(err)
				}
			}
			fields, cookies := fieldsAndCookies(t, out)
			if diff := cmp.Diff(wantFields, fields); diff != "" {
				t.Errorf("header fields (-want +got):\n%s", diff)
			}
			wantCookies := []string{"sid=1; Path=/  Set-Cookie: evil=3", "b=2 ; HttpOnly"}[:tc.cookies]
			if diff := cmp.Diff(wantCookies, cookies); diff != "" {
				t.Errorf("Set-Cookie values (-want +got):\n%s", diff)
			}
		})
	}
}
