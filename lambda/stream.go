package lambda

import (
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// streamWriter sends a response as Lambda's http-integration-response
// stream: the status, headers and cookies as a JSON prelude once the
// handler commits them, then the body as the handler writes it.
type streamWriter struct {
	mu       sync.Mutex
	header   http.Header
	pw       *io.PipeWriter
	ready    chan *events.LambdaFunctionURLStreamingResponse
	body     io.Reader
	sent     bool
	status   int
	finished bool
}

func (w *streamWriter) Header() http.Header { return w.header }

func (w *streamWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.commitLocked(code, nil)
}

func (w *streamWriter) commitLocked(code int, first []byte) {
	if w.sent || w.finished || !checkWriteHeaderCode(code) {
		return
	}
	w.sent = true
	w.status = code
	h := committedHeader(w.header, code, first)
	resp := &events.LambdaFunctionURLStreamingResponse{
		StatusCode: code,
		Headers:    joinHeaders(h),
		// Each Set-Cookie stays its own entry in the prelude's cookies.
		Cookies: h.Values("Set-Cookie"),
		Body:    w.body,
	}
	w.ready <- resp
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.commitLocked(http.StatusOK, p)
	finished, status := w.finished, w.status
	w.mu.Unlock()
	if finished {
		return 0, ErrDeadline
	}
	if !bodyAllowed(status) {
		return 0, http.ErrBodyNotAllowed
	}
	// Outside the lock: the write blocks until the runtime reads.
	return w.pw.Write(p)
}

// Flush commits the status and headers so the client sees them before
// the first body byte is ready.
func (w *streamWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.commitLocked(http.StatusOK, nil)
}

// serveStreaming runs the handler and returns as soon as it commits its
// status, with the body still being written.
func (a *Handler) serveStreaming(r *http.Request, ev *Event) (io.Reader, error) {
	ctx, cancel, err := a.handlerContext(r, ev)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	w := &streamWriter{
		header: make(http.Header),
		pw:     pw,
		body:   pr,
		// Buffered so the handler never blocks on committing after
		// serveStreaming has stopped listening.
		ready: make(chan *events.LambdaFunctionURLStreamingResponse, 1),
	}
	done := a.run(ctx, w, r)
	result := make(chan error, 1)
	go func() {
		defer cancel()
		err := a.wait(ctx, done, r)
		w.mu.Lock()
		if err == nil {
			w.commitLocked(http.StatusOK, nil) // a handler that wrote nothing
		}
		w.finished = true
		w.mu.Unlock()
		if err != nil {
			// After the prelude, the runtime turns a read error into the
			// Lambda-Runtime-Function-Error trailers.
			pw.CloseWithError(err)
		} else {
			pw.Close()
		}
		result <- err
	}()
	select {
	case resp := <-w.ready:
		return resp, nil
	case err := <-result:
		// Finished without committing: only possible on error, as a
		// clean finish commits first.
		select {
		case resp := <-w.ready:
			return resp, nil
		default:
		}
		return nil, err
	}
}
