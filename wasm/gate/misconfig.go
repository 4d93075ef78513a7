package gate

import (
	"io"

	"github.com/crumbkit/crumb/wasm"
)

// Misconfigured returns the handler a worker serves when its
// configuration was refused (FromEnv, New, a store's constructor). It
// writes err once to log (os.Stderr in a worker: Go's js runtime sends
// it to the console, where the operator looks) and answers every
// request with a bare 500: the detail names a variable and why it was
// refused, which is for the operator, not for every client.
//
// Serving this rather than exiting keeps one instance: a Go program
// that exits is instantiated again on every request. err must not
// carry secrets; FromEnv's and New's errors name variables, never
// their values.
func Misconfigured(err error, log io.Writer) wasm.Handler {
	if log != nil {
		io.WriteString(log, "edge gate misconfigured: "+err.Error()+"\n")
	}
	return wasm.HandlerFunc(func(*wasm.Request) *wasm.Response {
		return text(500, "internal error\n")
	})
}
