package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/lambda/lambdatest"
)

// TestEndToEnd builds this example as a real bootstrap binary, runs it
// against a Runtime API stand-in, and drives login, flash and logout
// through separate invocations for each event source, carrying cookies
// between them the way the front door would.
//
// It logs the figures docs/lambda.md quotes (cd examples/lambda && go
// test -v -run TestEndToEnd .): cold start over several fresh
// processes and warm invoke latency. It asserts nothing about them.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap binary")
	}
	bin := buildBootstrap(t)
	rt := lambdatest.NewRuntime(t)
	ring, err := keys.GenerateRing(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Cold start, from exec to the first response. One start is one
	// noisy sample on a shared machine, so a few throwaway processes,
	// each with a runtime of its own, add samples; the last start is
	// the process the rest of the test uses.
	const coldStarts = 5
	cold := make([]time.Duration, 0, coldStarts)
	for range coldStarts - 1 {
		trt := lambdatest.NewRuntime(t)
		p, d := coldStart(t, ctx, bin, trt, ring.Export())
		p.stop()
		cold = append(cold, d)
	}
	proc, d := coldStart(t, ctx, bin, rt, ring.Export())
	cold = append(cold, d)
	slices.Sort(cold)
	t.Logf("figures: cold start (exec to first response, bootstrap with the DynamoDB store linked) over %d process starts: min %v, median %v, max %v",
		len(cold), cold[0].Round(100*time.Microsecond), cold[len(cold)/2].Round(100*time.Microsecond),
		cold[len(cold)-1].Round(100*time.Microsecond))

	for _, src := range []source{srcV1, srcV2, srcFunctionURL, srcALBMulti, srcALB} {
		t.Run(src.String(), func(t *testing.T) {
			c := &client{t: t, rt: rt, src: src, jar: map[string]string{}}

			// A failed login counts in the session and flashes an error.
			r := c.do(ctx, "POST", "/login", "email=ann%40example.com&password=wrong")
			if r.status != http.StatusSeeOther {
				t.Fatalf("failed login: status %d, body %q", r.status, r.body)
			}
			r = c.do(ctx, "GET", "/", "")
			if !strings.Contains(r.body, "Incorrect username or password") || !strings.Contains(r.body, "Failed login attempts: 1") {
				t.Fatalf("after a failed login: %q", r.body)
			}

			r = c.do(ctx, "POST", "/login", "email=ann%40example.com&password=correct")
			if r.status != http.StatusSeeOther {
				t.Fatalf("login: status %d, body %q", r.status, r.body)
			}
			if len(r.setCookies) == 0 {
				t.Fatal("login set no cookie")
			}
			for _, sc := range r.setCookies {
				if !strings.Contains(sc, "Secure") || !strings.Contains(sc, "HttpOnly") {
					t.Errorf("cookie %s without Secure or HttpOnly", cookieName(sc))
				}
			}
			if len(c.jar) == 0 {
				t.Fatal("jar empty after login")
			}

			// The flash shows once.
			r = c.do(ctx, "GET", "/", "")
			if !strings.Contains(r.body, "Login successful") || !strings.Contains(r.body, "Log out ann@example.com") {
				t.Fatalf("page after login: %q", r.body)
			}
			r = c.do(ctx, "GET", "/", "")
			if strings.Contains(r.body, "Login successful") {
				t.Error("flash shown twice")
			}
			if !strings.Contains(r.body, "Log out ann@example.com") {
				t.Error("session lost after the flash was consumed")
			}

			r = c.do(ctx, "POST", "/logout", "")
			if r.status != http.StatusSeeOther {
				t.Fatalf("logout: status %d", r.status)
			}
			r = c.do(ctx, "GET", "/", "")
			if strings.Contains(r.body, "Log out") || !strings.Contains(r.body, `id="login"`) {
				t.Errorf("still signed in after logout: %q", r.body)
			}

			// A tampered session cookie is a logged-out visitor, not an error.
			c.jar["__Host-session"] = "AAAA" + strings.Repeat("x", 40)
			r = c.do(ctx, "GET", "/", "")
			if r.status != http.StatusOK || strings.Contains(r.body, "Log out") {
				t.Errorf("tampered cookie: status %d", r.status)
			}
		})
	}

	t.Run("ALB single-value refuses two Set-Cookies", func(t *testing.T) {
		res, err := rt.Invoke(ctx, event(srcALB, "GET", "/__e2e/two-cookies", nil, ""), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if res.Error == nil || !strings.Contains(res.Error.Message, "only one Set-Cookie") || !strings.Contains(res.Error.Message, "cookies a, b") {
			t.Fatalf("want an invocation error naming the limit and the cookies, got %+v payload %q", res.Error, res.Payload)
		}
		// The same route through a multi-value target group is fine.
		c := &client{t: t, rt: rt, src: srcALBMulti, jar: map[string]string{}}
		if r := c.do(ctx, "GET", "/__e2e/two-cookies", ""); len(r.setCookies) != 2 {
			t.Errorf("multi-value ALB delivered %d Set-Cookies, want 2", len(r.setCookies))
		}
	})

	t.Run("keys through the Parameters and Secrets extension", func(t *testing.T) {
		testSecretsExtension(t, bin, rt, ring)
	})

	// Failures: each is a clear invocation error, and the same process
	// serves the next invocation.
	failures := []struct {
		name, path string
		timeout    time.Duration
		want       string
	}{
		{name: "panic", path: "/__e2e/panic", timeout: 10 * time.Second, want: "handler panicked: e2e: deliberate panic"},
		{name: "deadline", path: "/__e2e/hang", timeout: 500 * time.Millisecond, want: "did not finish before the invocation deadline"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			res, err := rt.Invoke(ctx, event(srcV2, "GET", f.path, nil, ""), f.timeout)
			if err != nil {
				t.Fatal(err)
			}
			if res.Error == nil || !strings.Contains(res.Error.Message, f.want) {
				t.Fatalf("want an invocation error containing %q, got %+v", f.want, res.Error)
			}
			res, err = rt.Invoke(ctx, event(srcV2, "GET", "/", nil, ""), 10*time.Second)
			if err != nil || res.Error != nil {
				t.Fatalf("next invocation after the %s: %v %v\nprocess log:\n%s", f.name, err, res.Error, proc.log())
			}
			if proc.exited() {
				t.Fatal("process exited")
			}
		})
	}

	// Warm invokes: sequential, through the whole Runtime API round trip.
	const n = 200
	lat := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		res, err := rt.Invoke(ctx, event(srcV2, "GET", "/", nil, ""), 10*time.Second)
		lat = append(lat, time.Since(start))
		if err != nil || res.Error != nil {
			t.Fatalf("warm invocation: %v %v", err, res.Error)
		}
	}
	slices.Sort(lat)
	t.Logf("figures: warm invoke over %d sequential invocations: p50 %v, p90 %v, p99 %v, max %v",
		n, lat[n/2].Round(10*time.Microsecond), lat[n*9/10].Round(10*time.Microsecond),
		lat[n*99/100].Round(10*time.Microsecond), lat[n-1].Round(10*time.Microsecond))
}

// coldStart starts the binary against rt and returns the process and the
// time from exec to its first response.
func coldStart(t *testing.T, ctx context.Context, bin string, rt *lambdatest.Runtime, sessionKeys string) (*process, time.Duration) {
	t.Helper()
	proc, started := startBootstrap(t, bin, rt, sessionKeys)
	res, err := rt.Invoke(ctx, event(srcV2, "GET", "/", nil, ""), 10*time.Second)
	d := time.Since(started)
	if err != nil {
		t.Fatalf("first invocation: %v\nprocess log:\n%s", err, proc.log())
	}
	if res.Error != nil {
		t.Fatalf("first invocation failed: %v\nprocess log:\n%s", res.Error, proc.log())
	}
	return proc, d
}

// buildBootstrap builds this package the way it is deployed, plus the
// crumb_e2e tag that adds the panic and hang routes.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	return buildVariant(t, "")
}

// process is a running bootstrap: its output, collected under a lock
// because os/exec copies it on goroutines of its own, and its exit.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

// start starts cmd with its output going to p, and stops it when the test
// ends, logging its output if the test failed.
func (p *process) start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	p.cmd, p.done = cmd, make(chan struct{})
	cmd.Stdout, cmd.Stderr = p, p
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("bootstrap log:\n%s", p.log())
		}
	})
}

// stop kills the process and waits for it to exit.
func (p *process) stop() {
	p.cmd.Process.Kill()
	<-p.done
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Write(b)
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func startBootstrap(t *testing.T, bin string, rt *lambdatest.Runtime, sessionKeys string) (*process, time.Time) {
	t.Helper()
	started := time.Now()
	return startBootstrapEnv(t, bin, rt, sessionKeys), started
}

// source is an event shape the test speaks.
type source int

const (
	srcV1 source = iota
	srcV2
	srcFunctionURL
	srcALB
	srcALBMulti
)

func (s source) String() string {
	return [...]string{"REST v1", "HTTP API v2", "Function URL", "ALB", "ALB multi-value"}[s]
}

// event builds a request event as the front door would, with jar's
// cookies in the place that source puts them.
func event(src source, method, path string, jar map[string]string, form string) []byte {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(jar)) {
		pairs = append(pairs, k+"="+jar[k])
	}
	headers := map[string]string{"host": "demo.example.com", "x-forwarded-proto": "https", "user-agent": "e2e"}
	if form != "" {
		headers["content-type"] = "application/x-www-form-urlencoded"
	}
	var e map[string]any
	switch src {
	case srcV2, srcFunctionURL:
		domain := "abc.execute-api.us-east-1.amazonaws.com"
		if src == srcFunctionURL {
			domain = "abc.lambda-url.us-east-1.on.aws"
			if len(pairs) > 0 {
				headers["cookie"] = strings.Join(pairs, "; ") // Function URLs send both
			}
		}
		e = map[string]any{
			"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
			"headers": headers, "cookies": pairs, "isBase64Encoded": form != "",
			"requestContext": map[string]any{
				"domainName": domain, "requestId": "api-req", "stage": "$default",
				"http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "198.51.100.1"},
			},
		}
		if form != "" {
			// HTTP APIs and Function URLs deliver form posts base64-encoded.
			e["body"] = base64.StdEncoding.EncodeToString([]byte(form))
		}
	case srcV1, srcALBMulti:
		if len(pairs) > 0 {
			headers["cookie"] = strings.Join(pairs, "; ")
		}
		mv := map[string][]string{}
		for k, v := range headers {
			mv[k] = []string{v}
		}
		e = map[string]any{
			"httpMethod": method, "path": path, "body": form, "isBase64Encoded": false,
			"headers": headers, "multiValueHeaders": mv,
			"queryStringParameters": nil, "multiValueQueryStringParameters": nil,
			"requestContext": map[string]any{
				"requestId": "api-req", "stage": "prod", "path": "/prod" + path, "protocol": "HTTP/1.1",
				"identity": map[string]any{"sourceIp": "198.51.100.1"},
			},
		}
		if src == srcALBMulti {
			delete(e, "headers")
			delete(e, "queryStringParameters")
			e["multiValueQueryStringParameters"] = map[string][]string{}
			e["requestContext"] = map[string]any{"elb": map[string]any{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1"}}
		}
	case srcALB:
		if len(pairs) > 0 {
			headers["cookie"] = strings.Join(pairs, "; ")
		}
		e = map[string]any{
			"httpMethod": method, "path": path, "body": form, "isBase64Encoded": false,
			"headers": headers, "queryStringParameters": map[string]string{},
			"requestContext": map[string]any{"elb": map[string]any{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1"}},
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	return b
}

type client struct {
	t   *testing.T
	rt  *lambdatest.Runtime
	src source
	jar map[string]string
}

type response struct {
	status     int
	body       string
	setCookies []string
}

// do sends one request as its own invocation and applies the response's
// Set-Cookies to the jar, as a browser would.
func (c *client) do(ctx context.Context, method, path, form string) response {
	c.t.Helper()
	res, err := c.rt.Invoke(ctx, event(c.src, method, path, c.jar, form), 10*time.Second)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if res.Error != nil {
		c.t.Fatalf("%s %s: invocation error %v", method, path, res.Error)
	}
	var top map[string]json.RawMessage
	var r struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(res.Payload, &top); err != nil {
		c.t.Fatalf("%s %s: response %q: %v", method, path, res.Payload, err)
	}
	json.Unmarshal(res.Payload, &r)
	out := response{status: r.StatusCode, body: r.Body}
	if r.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(r.Body)
		out.body = string(b)
	}
	switch c.src {
	case srcV2, srcFunctionURL:
		out.setCookies = r.Cookies
	default:
		if _, ok := top["cookies"]; ok {
			c.t.Fatalf("%v response has a top-level cookies key; API Gateway REST and ALB answer 502", c.src)
		}
		if c.src == srcALB {
			if _, ok := top["multiValueHeaders"]; ok {
				c.t.Fatal("single-value ALB response uses multiValueHeaders, which the target group ignores")
			}
			if sc, ok := r.Headers["Set-Cookie"]; ok {
				out.setCookies = []string{sc}
			}
		} else {
			out.setCookies = r.MultiValueHeaders["Set-Cookie"]
		}
	}
	for _, sc := range out.setCookies {
		ck, err := http.ParseSetCookie(sc)
		if err != nil {
			c.t.Fatalf("unparsable Set-Cookie for %s: %v", cookieName(sc), err)
		}
		if ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck.Value
		}
	}
	return out
}

func cookieName(setCookie string) string {
	name, _, _ := strings.Cut(setCookie, "=")
	return name
}
