package wasm

import (
	"time"
	"unsafe"

	"github.com/crumbkit/crumb"
)

// MaxAlloc bounds one crumb_alloc buffer. Cookie values are capped at
// 16 KiB by default and a ring's text is a few hundred bytes, so 1 MiB is
// generous and stops a runaway host from growing linear memory without
// bound.
const MaxAlloc = 1 << 20

// Heap hands out buffers the host writes into and reads from. Go's
// garbage collector does not move objects, so an address stays valid as
// long as the buffer is referenced; the map is that reference, and Free
// drops it. Only addresses in the map are accepted back, so a host cannot
// make the reactor read memory it was not given.
//
// The zero Heap is ready to use. It is not safe for concurrent use, which
// a WebAssembly instance never needs.
type Heap struct {
	bufs map[uintptr][]byte
}

// Alloc returns the address of a new zeroed buffer of n bytes, or 0 when
// n is 0 or above MaxAlloc.
func (h *Heap) Alloc(n uint32) uintptr {
	if n == 0 || n > MaxAlloc {
		return 0
	}
	if h.bufs == nil {
		h.bufs = make(map[uintptr][]byte)
	}
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(&b[0]))
	h.bufs[p] = b
	return p
}

// Free releases the buffer at p. It reports whether p was a live buffer.
func (h *Heap) Free(p uintptr) bool {
	if _, ok := h.bufs[p]; !ok {
		return false
	}
	delete(h.bufs, p)
	return true
}

// Bytes returns the first n bytes of the buffer at p, or false when p is
// not a live buffer or n exceeds its size. A zero n is always valid and
// returns an empty slice, whatever p is.
func (h *Heap) Bytes(p uintptr, n uint32) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	b, ok := h.bufs[p]
	if !ok || uint64(n) > uint64(len(b)) {
		return nil, false
	}
	return b[:n], true
}

// Live returns the number of buffers not yet freed, for leak checks.
func (h *Heap) Live() int { return len(h.bufs) }

// Reactor is the state behind the reactor's exports: one configured
// sealer and cookie name, the heap, and the result of the last call.
// Inputs are copied out of host buffers before use, so the host may reuse
// or free them as soon as a call returns. The zero Reactor is ready to
// use (and not configured; it supports the symmetric modes only). It is
// not safe for concurrent use.
type Reactor struct {
	Heap

	sealer crumb.Sealer
	name   string

	// result holds the output of the last successful Open or Seal;
	// it stays referenced (so its address stays valid) until the next
	// call replaces it.
	result          []byte
	issued, expires int64
	rotated         bool
	opts            []crumb.Option
	newSealer       func(Mode, string, ...crumb.Option) (crumb.Sealer, error)
}

// NewReactor returns a Reactor that builds its sealer with newSealer
// (pubsealer.New for a reactor that supports every mode; nil means
// NewSymmetricSealer, which links no public-key code and refuses the
// Ed448 modes), passing it opts after any the host configures. Tests pin
// the clock with crumb.WithClock; the reactor binary passes none and so
// reads the WASI clock.
func NewReactor(newSealer func(mode Mode, ring string, opts ...crumb.Option) (crumb.Sealer, error), opts ...crumb.Option) *Reactor {
	return &Reactor{opts: opts, newSealer: newSealer}
}

// Configure sets the mode, ring and cookie name. A failed Configure
// leaves the reactor unconfigured, so a host never keeps running on an
// old ring it meant to replace.
func (r *Reactor) Configure(mode uint32, ring, name []byte) Code {
	r.sealer, r.name = nil, ""
	r.clear()
	newSealer := r.newSealer
	if newSealer == nil {
		newSealer = NewSymmetricSealer
	}
	s, err := newSealer(Mode(mode), string(ring), r.opts...)
	if err != nil {
		return CodeOf(err)
	}
	r.sealer, r.name = s, string(name)
	return 0
}

// Open authenticates value for the configured name. On success it
// returns the payload's length (possibly 0) and keeps the payload as the
// result, with IssuedAt, Expires and Rotated describing it.
func (r *Reactor) Open(value []byte) Code {
	r.clear()
	if r.sealer == nil {
		return CodeNotConfigured
	}
	o, err := r.sealer.Open(r.name, string(value))
	if err != nil {
		return CodeOf(err)
	}
	r.result = o.Payload
	r.issued, r.expires, r.rotated = o.IssuedAt.Unix(), o.Expires.Unix(), o.Rotated
	return Code(len(r.result))
}

// Seal seals payload for the configured name, valid until expires (Unix
// seconds). On success it returns the cookie value's length and keeps
// the value as the result.
func (r *Reactor) Seal(payload []byte, expires int64) Code {
	r.clear()
	if r.sealer == nil {
		return CodeNotConfigured
	}
	v, err := r.sealer.Seal(r.name, payload, time.Unix(expires, 0))
	if err != nil {
		return CodeOf(err)
	}
	r.result = []byte(v)
	return Code(len(r.result))
}

func (r *Reactor) clear() {
	r.result, r.issued, r.expires, r.rotated = nil, 0, 0, false
}

// Result returns the output of the last successful Open or Seal, or nil.
func (r *Reactor) Result() []byte { return r.result }

// ResultPtr returns the address of Result's first byte, or 0 when it is
// empty.
func (r *Reactor) ResultPtr() uintptr {
	if len(r.result) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&r.result[0]))
}

// IssuedAt and Expires return the times of the last opened value, in
// Unix seconds; zero after anything but a successful Open.
func (r *Reactor) IssuedAt() int64 { return r.issued }

// Expires: see IssuedAt.
func (r *Reactor) Expires() int64 { return r.expires }

// Rotated reports whether the last opened value was sealed under a key
// other than the ring's primary, so the host should re-seal it.
func (r *Reactor) Rotated() bool { return r.rotated }
