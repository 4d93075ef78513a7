package lambdatest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/lambda"
	"github.com/crumbkit/crumb/lambda/lambdatest"
)

// echo is a handler that reports what reached it and answers with
// cookies, a redirect or a binary body.
func echo() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, _ := lambda.EventFromContext(r.Context())
		var names []string
		for _, c := range r.Cookies() {
			names = append(names, c.Name+"="+c.Value)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.Query(), "body": body,
			"cookies": names, "https": r.TLS != nil, "host": r.Host, "source": ev.Source.String(),
			"remote": r.RemoteAddr, "ua": r.UserAgent(),
		})
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/", Secure: true, HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: "hi,there", Path: "/", Secure: true})
		http.Redirect(w, r, "/echo", http.StatusSeeOther)
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Path: "/", MaxAge: -1, Secure: true})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte{0, 1, 2, 0xff, 0xfe, '\n'})
	})
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("front door test") })
	return mux
}

type echoed struct {
	Method  string
	Path    string
	Query   url.Values
	Body    []byte
	Cookies []string
	HTTPS   bool
	Host    string
	Source  string
	Remote  string
	UA      string
}

func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// TestFrontDoorInProcess drives a handler through the front door and
// crumb's Lambda adapter with a real http.Client and cookie jar.
func TestFrontDoorInProcess(t *testing.T) {
	srv := httptest.NewServer(&lambdatest.FrontDoor{Function: lambda.New(echo())})
	defer srv.Close()
	c := newClient(t)

	resp, err := c.Post(srv.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader("a=1&b=%C3%A9"))
	if err != nil {
		t.Fatal(err)
	}
	var got echoed
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/echo" || got.Method != http.MethodGet {
		t.Fatalf("redirect not followed on this server: ended at %s with %s", resp.Request.URL, got.Method)
	}
	if strings.Join(got.Cookies, " ") != "session=s1 flash=hi,there" && strings.Join(got.Cookies, " ") != "flash=hi,there session=s1" {
		t.Fatalf("cookies after login: %q, want session and flash (its comma intact)", got.Cookies)
	}
	if !got.HTTPS || got.Source != "Function URL" || !strings.HasPrefix(got.Remote, "127.0.0.1:") || got.UA == "" {
		t.Fatalf("request as the function saw it: %+v; want HTTPS, a Function URL event, the client's address", got)
	}
	if got.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Fatalf("Host %q, want this server's %q", got.Host, srv.URL)
	}
	if resp.Header.Values("X-Multi")[0] != "a,b" && len(resp.Header.Values("X-Multi")) != 2 {
		t.Fatalf("repeated header: %q", resp.Header.Values("X-Multi"))
	}

	// A form post arrives byte for byte (base64 in the event), and a
	// query keeps repeated parameters.
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/echo?x=1&x=2&y=%20", bytes.NewReader([]byte{0, 0xff, 'z'}))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got = echoed{}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if !bytes.Equal(got.Body, []byte{0, 0xff, 'z'}) || strings.Join(got.Query["x"], ",") != "1,2" || got.Query.Get("y") != " " {
		t.Fatalf("binary body %q, query %v", got.Body, got.Query)
	}

	resp, err = c.Get(srv.URL + "/binary")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(b, []byte{0, 1, 2, 0xff, 0xfe, '\n'}) || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("binary response %q (%s)", b, resp.Header.Get("Content-Type"))
	}

	resp, err = c.Post(srv.URL+"/logout", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "session" {
			t.Fatal("session cookie still in the jar after logout")
		}
	}

	resp, err = c.Get(srv.URL + "/panic")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), "panicked") {
		t.Fatalf("handler panic: HTTP %d %q, want 502 naming the panic", resp.StatusCode, b)
	}

	big := bytes.Repeat([]byte("x"), lambdatest.MaxRequestBytes+1)
	resp, err = c.Post(srv.URL+"/echo", "text/plain", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("request over 6 MB: HTTP %d, want 413", resp.StatusCode)
	}
}

// TestFrontDoorRuntime invokes through the Runtime API stand-in, with a
// function that answers in streaming mode, as a bootstrap built with
// lambda.WithResponseStreaming does.
func TestFrontDoorRuntime(t *testing.T) {
	rt := lambdatest.NewRuntime(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan map[string]any, 1)
	go func() {
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+rt.Addr+"/2018-06-01/runtime/invocation/next", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			var ev map[string]any
			json.NewDecoder(resp.Body).Decode(&ev)
			resp.Body.Close()
			events <- ev
			id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
			stream := `{"statusCode":201,"headers":{"content-type":"text/plain"},"cookies":["a=1; Secure","b=2; Secure"]}` +
				"\x00\x00\x00\x00\x00\x00\x00\x00" + "streamed body"
			post, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+rt.Addr+"/2018-06-01/runtime/invocation/"+id+"/response", strings.NewReader(stream))
			post.Header.Set("Lambda-Runtime-Function-Response-Mode", "streaming")
			post.Header.Set("Content-Type", "application/vnd.awslambda.http-integration-response")
			if resp, err := http.DefaultClient.Do(post); err == nil {
				resp.Body.Close()
			}
		}
	}()
	srv := httptest.NewServer(&lambdatest.FrontDoor{Runtime: rt, Timeout: 10 * time.Second})
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/s?q=1", nil)
	req.Header.Add("Cookie", "x=1; y=2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(b) != "streamed body" || len(resp.Header.Values("Set-Cookie")) != 2 {
		t.Fatalf("streamed response: HTTP %d %q, Set-Cookie %q", resp.StatusCode, b, resp.Header.Values("Set-Cookie"))
	}
	ev := <-events
	rc := ev["requestContext"].(map[string]any)
	if ev["version"] != "2.0" || ev["rawPath"] != "/s" || ev["rawQueryString"] != "q=1" ||
		fmt.Sprint(ev["cookies"]) != "[x=1 y=2]" || !strings.Contains(fmt.Sprint(rc["domainName"]), ".lambda-url.") {
		t.Fatalf("event: %v", ev)
	}
}

// The front door runs a function locally the way a Function URL runs
// it; here in process, through crumb's Lambda adapter.
func ExampleFrontDoor() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Secure: true})
		fmt.Fprintf(w, "hello over %s", map[bool]string{true: "https", false: "http"}[r.TLS != nil])
	})
	srv := httptest.NewServer(&lambdatest.FrontDoor{Function: lambda.New(mux)})
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Set-Cookie"), string(body))
	// Output: 200 seen=1; Secure hello over https
}
