//go:build js && wasm

package kvbinding

import (
	"context"
	"errors"
	"syscall/js"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/wasm/worker"
)

// MaxValueLen is Workers KV's largest value: 25 MiB.
const MaxValueLen = 25 << 20

// minTTL is KV's smallest expirationTtl, in seconds.
const minTTL = 60

// ErrNoBinding is returned by New when the worker has no binding by the
// name given.
var ErrNoBinding = errors.New("kvbinding: the worker has no KV namespace binding by that name")

// Store is a kvstore.Store over one KV namespace binding. It is safe for
// concurrent use.
type Store struct {
	ns js.Value
}

var (
	_ kvstore.Store             = (*Store)(nil)
	_ kvstore.Toucher           = (*Store)(nil)
	_ kvstore.ConditionalSetter = (*Store)(nil)
)

// Touch implements kvstore.Toucher: Workers KV changes a TTL only by
// rewriting the value, so it answers an error wrapping
// errors.ErrUnsupported, and kvstore.Refresh re-puts.
func (s *Store) Touch(context.Context, string, time.Duration) error {
	return &kvstore.Error{Store: "kvbinding", Op: "touch", Kind: errors.ErrUnsupported, Detail: "Workers KV changes a TTL only by rewriting the value"}
}

// SetIfExists implements kvstore.ConditionalSetter: Workers KV has no
// conditional writes, so it answers an error wrapping
// errors.ErrUnsupported and writes nothing.
func (s *Store) SetIfExists(context.Context, string, []byte, time.Duration) (bool, error) {
	return false, &kvstore.Error{Store: "kvbinding", Op: "set", Kind: errors.ErrUnsupported, Detail: "Workers KV has no conditional writes"}
}

// SetIfAbsent implements kvstore.ConditionalSetter like SetIfExists.
func (s *Store) SetIfAbsent(context.Context, string, []byte, time.Duration) (bool, error) {
	return false, &kvstore.Error{Store: "kvbinding", Op: "set", Kind: errors.ErrUnsupported, Detail: "Workers KV has no conditional writes"}
}

// New returns the Store for the worker's binding called name (the
// binding field of a [[kv_namespaces]] entry in wrangler.toml). The
// binding must be an object with get, put and delete methods.
func New(name string) (*Store, error) {
	ns, ok := worker.Binding(name)
	if !ok || ns.Type() != js.TypeObject {
		return nil, ErrNoBinding
	}
	for _, m := range []string{"get", "put", "delete"} {
		if ns.Get(m).Type() != js.TypeFunction {
			return nil, ErrNoBinding
		}
	}
	return &Store{ns: ns}, nil
}

// Get implements kvstore.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey("get", key); err != nil {
		return nil, err
	}
	opts := js.Global().Get("Object").New()
	opts.Set("type", "arrayBuffer")
	v, err := await(ctx, "get", func() js.Value { return s.ns.Call("get", key, opts) })
	if err != nil {
		return nil, err
	}
	if v.IsNull() || v.IsUndefined() {
		return nil, &kvstore.Error{Store: "kvbinding", Op: "get", Kind: kvstore.ErrNotFound}
	}
	u := js.Global().Get("Uint8Array").New(v)
	b := make([]byte, u.Get("length").Int())
	js.CopyBytesToGo(b, u)
	return b, nil
}

// Set implements kvstore.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkKey("set", key); err != nil {
		return err
	}
	if ttl <= 0 {
		return &kvstore.Error{Store: "kvbinding", Op: "set", Kind: kvstore.ErrBadTTL}
	}
	if len(value) > MaxValueLen {
		return &kvstore.Error{Store: "kvbinding", Op: "set", Kind: kvstore.ErrTooLarge, Detail: "value over 25 MiB"}
	}
	secs := int64(ttl / time.Second)
	if ttl%time.Second != 0 {
		secs++
	}
	if secs < minTTL {
		secs = minTTL
	}
	u := js.Global().Get("Uint8Array").New(len(value))
	js.CopyBytesToJS(u, value)
	opts := js.Global().Get("Object").New()
	opts.Set("expirationTtl", float64(secs))
	_, err := await(ctx, "set", func() js.Value { return s.ns.Call("put", key, u, opts) })
	return err
}

// Delete implements kvstore.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey("delete", key); err != nil {
		return err
	}
	_, err := await(ctx, "delete", func() js.Value { return s.ns.Call("delete", key) })
	return err
}

func checkKey(op, key string) error {
	switch {
	case key == "" || key == "." || key == "..":
		return &kvstore.Error{Store: "kvbinding", Op: op, Kind: kvstore.ErrBadKey, Detail: "empty key, or one KV refuses"}
	case len(key) > kvstore.MaxKeyLen:
		return &kvstore.Error{Store: "kvbinding", Op: op, Kind: kvstore.ErrBadKey, Detail: "key longer than 512 bytes"}
	}
	return nil
}

// ctxError is kvstore's ErrTimeout for a context that ended, also
// wrapping ctx.Err().
type ctxError struct {
	err   *kvstore.Error
	cause error
}

func (e ctxError) Error() string   { return e.err.Error() }
func (e ctxError) Unwrap() []error { return []error{e.err, e.cause} }

// await calls start, which returns a Promise, and waits for it to
// settle or ctx to end. A rejection is ErrUnavailable with the
// JavaScript error's name only: its message may quote the key.
func await(ctx context.Context, op string, start func() js.Value) (js.Value, error) {
	if err := ctx.Err(); err != nil {
		return js.Undefined(), timeout(op, err)
	}
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var then, catch js.Func
	release := func() { then.Release(); catch.Release() }
	then = js.FuncOf(func(_ js.Value, a []js.Value) any {
		v := js.Undefined()
		if len(a) > 0 {
			v = a[0]
		}
		ch <- result{v: v}
		release()
		return nil
	})
	catch = js.FuncOf(func(_ js.Value, a []js.Value) any {
		name := "Error"
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			if n := a[0].Get("name"); n.Type() == js.TypeString {
				name = n.String()
			}
		}
		ch <- result{err: &kvstore.Error{Store: "kvbinding", Op: op, Kind: kvstore.ErrUnavailable, Detail: "the binding failed (" + name + ")"}}
		release()
		return nil
	})
	p, err := call(start)
	if err != nil {
		release()
		return js.Undefined(), &kvstore.Error{Store: "kvbinding", Op: op, Kind: kvstore.ErrUnavailable, Detail: "the binding threw"}
	}
	p.Call("then", then, catch)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), timeout(op, ctx.Err())
	}
}

// call runs start, turning a synchronous JavaScript exception (a
// binding that throws rather than rejects) into an error. syscall/js
// panics with a js.Error then; TinyGo cannot recover on wasm, but its
// bindings reject rather than throw for everything but misuse.
func call(start func() js.Value) (p js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("threw")
		}
	}()
	p = start()
	if p.Type() != js.TypeObject || p.Get("then").Type() != js.TypeFunction {
		return p, errors.New("not a Promise")
	}
	return p, nil
}

func timeout(op string, cause error) error {
	return ctxError{&kvstore.Error{Store: "kvbinding", Op: op, Kind: kvstore.ErrTimeout, Detail: "context ended before KV answered"}, cause}
}
