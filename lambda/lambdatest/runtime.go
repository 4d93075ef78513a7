package lambdatest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// MaxResponseBytes is the buffered response size above which the Runtime
// API answers 413, as Lambda does.
const MaxResponseBytes = 6291556

// ErrInitFailed is returned by Invoke after the function reported an
// init error.
var ErrInitFailed = errors.New("lambdatest: function reported an init error")

// Result is the outcome of one invocation.
type Result struct {
	// RequestID is the ID the invocation was given.
	RequestID string
	// Payload is the response body the function posted: the response
	// JSON, or for a streamed response the whole stream (prelude, eight
	// NUL bytes, body).
	Payload []byte
	// ContentType is the Content-Type of the posted response.
	ContentType string
	// Streamed reports a response posted in streaming mode.
	Streamed bool
	// Error is set when the function posted to /error, or a streamed
	// response ended with error trailers.
	Error *FunctionError
}

// FunctionError is the error a function reported for an invocation.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Runtime is a Runtime API stand-in. Create it with NewRuntime.
type Runtime struct {
	// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
	Addr string
	// FunctionARN is sent as Lambda-Runtime-Invoked-Function-Arn.
	FunctionARN string

	srv   *httptest.Server
	queue chan *invocation

	mu      sync.Mutex
	pending map[string]*invocation
	seq     int
	initErr *FunctionError
	initCh  chan struct{}
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan Result
	once     sync.Once
}

func (inv *invocation) finish(r Result) bool {
	ok := false
	inv.once.Do(func() { inv.done <- r; ok = true })
	return ok
}

// NewRuntime starts a Runtime API stand-in on a free loopback port and
// stops it when the test ends.
func NewRuntime(t testing.TB) *Runtime {
	t.Helper()
	rt := StartRuntime()
	t.Cleanup(rt.Close)
	return rt
}

// StartRuntime is NewRuntime outside a test, for running a function
// locally behind a FrontDoor: the caller must call Close.
func StartRuntime() *Runtime {
	rt := &Runtime{
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:crumb-test",
		queue:       make(chan *invocation),
		pending:     make(map[string]*invocation),
		initCh:      make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.initError)
	rt.srv = httptest.NewServer(mux)
	rt.Addr = strings.TrimPrefix(rt.srv.URL, "http://")
	return rt
}

// Close stops the stand-in. A function process still polling it sees
// its connection refused.
func (rt *Runtime) Close() { rt.srv.Close() }

// Invoke sends payload as the next event, with the invocation deadline
// timeout from now, and waits for the function's answer or ctx.
func (rt *Runtime) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	rt.mu.Lock()
	rt.seq++
	inv := &invocation{
		id:       fmt.Sprintf("00000000-0000-4000-8000-%012d", rt.seq),
		payload:  payload,
		deadline: time.Now().Add(timeout),
		done:     make(chan Result, 1),
	}
	rt.pending[inv.id] = inv
	rt.mu.Unlock()
	defer func() {
		rt.mu.Lock()
		delete(rt.pending, inv.id)
		rt.mu.Unlock()
	}()

	select {
	case rt.queue <- inv:
	case <-rt.initCh:
		return Result{}, fmt.Errorf("%w: %v", ErrInitFailed, rt.initErr)
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdatest: no runtime asked for the next invocation: %w", ctx.Err())
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdatest: invocation %s got no answer: %w", inv.id, ctx.Err())
	}
}

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-rt.queue:
	case <-r.Context().Done():
		return
	}
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", rt.FunctionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

func (rt *Runtime) lookup(w http.ResponseWriter, r *http.Request) *invocation {
	rt.mu.Lock()
	inv := rt.pending[r.PathValue("id")]
	rt.mu.Unlock()
	if inv == nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or finished request ID")
	}
	return inv
}

func (rt *Runtime) response(w http.ResponseWriter, r *http.Request) {
	inv := rt.lookup(w, r)
	if inv == nil {
		return
	}
	streamed := r.Header.Get("Lambda-Runtime-Function-Response-Mode") == "streaming" ||
		r.Header.Get("Content-Type") == "application/vnd.awslambda.http-integration-response"
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if !streamed && len(body) > MaxResponseBytes {
		inv.finish(Result{RequestID: inv.id, Error: &FunctionError{
			Type:    "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).", len(body), MaxResponseBytes),
		}})
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response too large")
		return
	}
	res := Result{RequestID: inv.id, Payload: body, ContentType: r.Header.Get("Content-Type"), Streamed: streamed}
	if t := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
		fe := &FunctionError{Type: t}
		if b, err := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body")); err == nil {
			json.Unmarshal(b, fe)
		}
		res.Error = fe
	}
	if !inv.finish(res) {
		writeAPIError(w, http.StatusBadRequest, "InvalidStateTransition", "invocation already answered")
		return
	}
	accepted(w)
}

func (rt *Runtime) invocationError(w http.ResponseWriter, r *http.Request) {
	inv := rt.lookup(w, r)
	if inv == nil {
		return
	}
	fe := &FunctionError{}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, fe); err != nil {
		fe.Message = string(body)
	}
	if t := r.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" && fe.Type == "" {
		fe.Type = t
	}
	if !inv.finish(Result{RequestID: inv.id, Payload: body, ContentType: r.Header.Get("Content-Type"), Error: fe}) {
		writeAPIError(w, http.StatusBadRequest, "InvalidStateTransition", "invocation already answered")
		return
	}
	accepted(w)
}

func (rt *Runtime) initError(w http.ResponseWriter, r *http.Request) {
	fe := &FunctionError{}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, fe); err != nil {
		fe.Message = string(body)
	}
	rt.mu.Lock()
	if rt.initErr == nil {
		rt.initErr = fe
		close(rt.initCh)
	}
	rt.mu.Unlock()
	accepted(w)
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

func writeAPIError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(FunctionError{Type: typ, Message: msg})
}
