package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
)

// Errors returned, wrapped, by Handler.Invoke. Under Start they become
// invocation errors: the Runtime API records them, the function's Errors
// metric counts them, and the front door answers 502. Check them with
// errors.Is.
var (
	// ErrUnsupportedEvent: the event is not an HTTP request from API
	// Gateway, a Function URL or an ALB (a WebSocket or authorizer event,
	// a response, something else).
	ErrUnsupportedEvent = errors.New("crumb/lambda: unsupported event")
	// ErrMalformedEvent: the payload is not valid JSON, or a body marked
	// base64 is not base64.
	ErrMalformedEvent = errors.New("crumb/lambda: malformed event")
	// ErrHandlerPanic: the http.Handler panicked.
	ErrHandlerPanic = errors.New("crumb/lambda: handler panicked")
	// ErrDeadline: the http.Handler was still running when the
	// invocation's deadline (less the margin, see WithDeadlineMargin)
	// passed.
	ErrDeadline = errors.New("crumb/lambda: handler did not finish before the invocation deadline")
	// ErrResponseTooLarge: the response would exceed the payload limit
	// of the event source (see WithMaxResponseBytes).
	ErrResponseTooLarge = errors.New("crumb/lambda: response exceeds the Lambda payload limit")
	// ErrSingleValueSetCookie: the handler set more than one Set-Cookie
	// for an ALB target group without multi-value headers, which can
	// carry only one.
	ErrSingleValueSetCookie = errors.New("crumb/lambda: ALB target group without multi-value headers can carry only one Set-Cookie")
)

const (
	// DefaultMaxResponseBytes is Lambda's limit for a buffered
	// synchronous response, as its error message reports it.
	DefaultMaxResponseBytes = 6291556
	// ALBMaxResponseBytes is the largest response JSON an ALB accepts
	// from a Lambda target.
	ALBMaxResponseBytes = 1 << 20
	// DefaultDeadlineMargin is how long before the invocation deadline
	// the adapter gives up on the handler, leaving time to report the
	// error before Lambda stops the process.
	DefaultDeadlineMargin = 100 * time.Millisecond
)

// An Option configures a Handler.
type Option func(*config)

type config struct {
	streaming      bool
	maxBytes       int
	deadlineMargin time.Duration
	log            *slog.Logger
}

// WithResponseStreaming answers Function URL events in Lambda's
// response-streaming format. Use it only when the Function URL's invoke
// mode is RESPONSE_STREAM: the invoke mode is not visible in the event,
// and a BUFFERED URL cannot read a streamed answer. Events from other
// sources are still answered buffered. Streamed bodies are not held to
// the buffered payload limit; Lambda enforces its own streaming limit.
func WithResponseStreaming() Option {
	return func(c *config) { c.streaming = true }
}

// WithMaxResponseBytes sets the largest encoded response, in bytes, the
// adapter returns for API Gateway and Function URL events (ALB events
// are held to ALBMaxResponseBytes, or n if smaller). The default is
// DefaultMaxResponseBytes; n <= 0 keeps it.
func WithMaxResponseBytes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithDeadlineMargin sets how long before the invocation deadline the
// handler's context is cancelled and the adapter reports ErrDeadline. The
// default is DefaultDeadlineMargin; a negative d keeps it.
func WithDeadlineMargin(d time.Duration) Option {
	return func(c *config) {
		if d >= 0 {
			c.deadlineMargin = d
		}
	}
}

// WithLogger sets where the adapter logs handler panics (with their
// stack) and refused responses. The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// Handler adapts an http.Handler to Lambda invocations. It is safe for
// concurrent use.
type Handler struct {
	h   http.Handler
	cfg config
}

// New returns a Handler serving h.
func New(h http.Handler, opts ...Option) *Handler {
	c := config{
		maxBytes:       DefaultMaxResponseBytes,
		deadlineMargin: DefaultDeadlineMargin,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return &Handler{h: h, cfg: c}
}

// Start serves h on Lambda's Runtime API and never returns. Build the
// function with -tags lambda.norpc for the provided.al2023 runtime.
func Start(h http.Handler, opts ...Option) {
	a := New(h, opts...)
	if !a.cfg.streaming {
		// A value with an Invoke([]byte) method gets the payload as is,
		// without a JSON round trip.
		awslambda.Start(a)
		return
	}
	awslambda.Start(func(ctx context.Context, payload json.RawMessage) (io.Reader, error) {
		return a.invokeReader(ctx, payload)
	})
}

// Invoke serves one invocation: payload is the event JSON, and the
// result is the response JSON in the shape the event's source expects.
// It implements aws-lambda-go's lambda.Handler, and is what tests drive.
// Invoke always answers buffered; response streaming happens under
// Start with WithResponseStreaming.
func (a *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r, ev, err := parseEvent(ctx, payload)
	if err != nil {
		return a.parseFailure(ev, err)
	}
	return a.serveBuffered(r, ev)
}

func (a *Handler) parseFailure(ev *Event, err error) ([]byte, error) {
	var bad *badRequestError
	if ev != nil && errors.As(err, &bad) {
		w := newBufferedWriter(a.limit(ev.Source))
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
		return encodeResponse(ev.Source, w, a.limit(ev.Source))
	}
	return nil, err
}

func (a *Handler) limit(src Source) int {
	if (src == SourceALB || src == SourceALBMultiValue) && a.cfg.maxBytes > ALBMaxResponseBytes {
		return ALBMaxResponseBytes
	}
	return a.cfg.maxBytes
}

// handlerContext derives the context the handler sees: the invocation's,
// with the event attached and the deadline pulled in by the margin. It
// fails with ErrDeadline when that deadline has already passed, so a
// handler is never started only to be abandoned.
func (a *Handler) handlerContext(r *http.Request, ev *Event) (context.Context, context.CancelFunc, error) {
	ctx := context.WithValue(r.Context(), eventKey{}, ev)
	var cancel context.CancelFunc
	if dl, ok := ctx.Deadline(); ok {
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-a.cfg.deadlineMargin))
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	if err := ctx.Err(); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%w (%s %s): %v", ErrDeadline, r.Method, r.URL.Path, err)
	}
	return ctx, cancel, nil
}

type handlerResult struct {
	panicked bool
	value    any
	stack    []byte
}

// run calls the handler on its own goroutine so that a panic is
// recovered where it happens and a handler that ignores its context
// cannot hold the invocation past the deadline.
func (a *Handler) run(ctx context.Context, w http.ResponseWriter, r *http.Request) <-chan handlerResult {
	done := make(chan handlerResult, 1)
	go func() {
		res := handlerResult{}
		defer func() {
			if v := recover(); v != nil {
				res = handlerResult{panicked: true, value: v, stack: debug.Stack()}
			}
			done <- res
		}()
		a.h.ServeHTTP(w, r.WithContext(ctx))
	}()
	return done
}

// wait returns nil when the handler finished normally, or the
// invocation error for a panic or a missed deadline.
func (a *Handler) wait(ctx context.Context, done <-chan handlerResult, r *http.Request) error {
	var res handlerResult
	select {
	case res = <-done:
	case <-ctx.Done():
		select {
		case res = <-done: // finished in the same instant: keep the answer
		default:
			a.cfg.log.Error("crumb/lambda: handler still running at the deadline; its response is discarded",
				"method", r.Method, "path", r.URL.Path, "request_id", RequestID(ctx))
			return fmt.Errorf("%w (%s %s)", ErrDeadline, r.Method, r.URL.Path)
		}
	}
	if res.panicked {
		if res.value == http.ErrAbortHandler {
			return fmt.Errorf("%w: %v", ErrHandlerPanic, res.value)
		}
		a.cfg.log.Error("crumb/lambda: handler panicked",
			"method", r.Method, "path", r.URL.Path, "request_id", RequestID(ctx),
			"panic", fmt.Sprint(res.value), "stack", string(res.stack))
		return fmt.Errorf("%w: %v", ErrHandlerPanic, res.value)
	}
	return nil
}

func (a *Handler) serveBuffered(r *http.Request, ev *Event) ([]byte, error) {
	ctx, cancel, err := a.handlerContext(r, ev)
	if err != nil {
		return nil, err
	}
	defer cancel()
	limit := a.limit(ev.Source)
	w := newBufferedWriter(limit)
	if err := a.wait(ctx, a.run(ctx, w, r), r); err != nil {
		w.abandon()
		return nil, err
	}
	out, err := encodeResponse(ev.Source, w, limit)
	if err != nil {
		a.cfg.log.Error("crumb/lambda: response refused", "method", r.Method, "path", r.URL.Path,
			"request_id", RequestID(ctx), "error", err.Error())
	}
	return out, err
}

// invokeReader is the Start entry point with streaming on.
func (a *Handler) invokeReader(ctx context.Context, payload []byte) (io.Reader, error) {
	r, ev, err := parseEvent(ctx, payload)
	if err == nil && ev.Source == SourceFunctionURL {
		return a.serveStreaming(r, ev)
	}
	var out []byte
	if err != nil {
		out, err = a.parseFailure(ev, err)
	} else {
		out, err = a.serveBuffered(r, ev)
	}
	if err != nil {
		return nil, err
	}
	return &jsonReader{bytes.NewReader(out)}, nil
}

// jsonReader hands aws-lambda-go an already encoded response: the
// failing MarshalJSON makes it pass the reader through untouched.
type jsonReader struct{ *bytes.Reader }

func (*jsonReader) ContentType() string          { return "application/json" }
func (*jsonReader) MarshalJSON() ([]byte, error) { return nil, errors.New("not json") }
