package lambda_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/lambda"
	"github.com/crumbkit/crumb/lambda/lambdatest"
)

// bootstrapEnv makes the test binary act as a Lambda bootstrap: Start
// must run in a process of its own, since it never returns.
const bootstrapEnv = "CRUMB_LAMBDA_TEST_BOOTSTRAP"

func TestMain(m *testing.M) {
	switch os.Getenv(bootstrapEnv) {
	case "":
		os.Exit(m.Run())
	case "streaming":
		lambda.Start(bootstrapHandler(), lambda.WithResponseStreaming())
	default:
		lambda.Start(bootstrapHandler())
	}
}

func bootstrapHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic-mid-stream":
			w.Write([]byte("half"))
			w.(http.Flusher).Flush()
			panic("mid-stream")
		}
		w.Header().Add("Set-Cookie", "session.0=a,b; Path=/")
		w.Header().Add("Set-Cookie", "session.1=c; Path=/")
		w.Header().Set("X-Request-Id", lambda.RequestID(r.Context()))
		w.Write([]byte("hello " + r.URL.Path))
	})
}

// syncBuffer collects a child process's output. os/exec copies the
// output on goroutines of its own until Wait, so the test reads it, on a
// failure path, while those may still write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestStartStreaming runs Start with response streaming in a real
// process against the Runtime API stand-in: aws-lambda-go's client
// posts the stream, and a failure after the prelude arrives as error
// trailers.
func TestStartStreaming(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	rt := lambdatest.NewRuntime(t)
	cmd := exec.Command(os.Args[0])
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(os.Environ(), bootstrapEnv+"=streaming", "AWS_LAMBDA_RUNTIME_API="+rt.Addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	furl := readTestdata(t, "functionurl-cookies-and-cookie-header.json")

	res, err := rt.Invoke(ctx, furl, 10*time.Second)
	if err != nil || res.Error != nil {
		t.Fatalf("invoke: %v %v\n%s", err, res.Error, logs.String())
	}
	if !res.Streamed {
		t.Fatalf("response not streamed: content type %q", res.ContentType)
	}
	prelude, body, ok := bytes.Cut(res.Payload, make([]byte, 8))
	if !ok {
		t.Fatalf("no prelude separator in %q", res.Payload)
	}
	if want := `"cookies":["session.0=a,b; Path=/","session.1=c; Path=/"]`; !strings.Contains(string(prelude), want) {
		t.Errorf("prelude %s lacks %s", prelude, want)
	}
	if !strings.Contains(string(prelude), res.RequestID) {
		t.Errorf("prelude %s lacks the invocation's request ID %s", prelude, res.RequestID)
	}
	if string(body) != "hello /flash" {
		t.Errorf("body = %q", body)
	}

	// REST events are answered buffered by the same process.
	res, err = rt.Invoke(ctx, readTestdata(t, "rest-v1-cookies.json"), 10*time.Second)
	if err != nil || res.Error != nil || res.Streamed {
		t.Fatalf("REST invoke: %v %+v", err, res)
	}
	checkResponseShape(t, lambda.SourceAPIGatewayV1, res.Payload,
		[]string{"session.0=a,b; Path=/", "session.1=c; Path=/"}, "hello /flash")

	// A panic after the prelude: error trailers, and the process lives.
	panicky := bytes.Replace(furl, []byte(`"rawPath": "/flash"`), []byte(`"rawPath": "/panic-mid-stream"`), 1)
	res, err = rt.Invoke(ctx, panicky, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || !strings.Contains(res.Error.Message, "handler panicked: mid-stream") {
		t.Errorf("mid-stream panic: error %+v, payload %q", res.Error, res.Payload)
	}
	res, err = rt.Invoke(ctx, furl, 10*time.Second)
	if err != nil || res.Error != nil {
		t.Fatalf("invoke after the panic: %v %v\n%s", err, res.Error, logs.String())
	}
}
