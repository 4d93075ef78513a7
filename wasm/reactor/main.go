//go:build wasip1

// Command reactor is crumb's WASI reactor: built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o crumb.wasm ./wasm/reactor
//
// it exports crumb_configure, crumb_open and crumb_seal (and buffer
// management) so JavaScript, or any other code on a WASI host, can open
// and seal crumb values without reimplementing the format. docs/edge.md
// specifies the ABI; package wasm holds the logic, tested natively.
//
// The host must call _initialize once before any export. Every export
// returns at once: nothing here blocks, sleeps or starts goroutines.
//
// Security contract: package wasm's. In short, no export returns key
// material or puts it in an error; inputs are accepted only from
// crumb_alloc buffers and copied before use; a failed crumb_configure
// leaves the reactor unconfigured. The host must supply the real wall
// clock and real randomness through WASI: expiry and AES-GCM nonces
// depend on them.
package main

import (
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

// main is never called in a reactor (-buildmode=c-shared): _initialize
// runs package initialisation and returns.
func main() {}

// r is the instance's one reactor. A wasm instance runs one call at a
// time, and the exports need somewhere to keep the sealer between calls;
// each instance gets its own.
var r = wasm.NewReactor(pubsealer.New)

func ptr(p uintptr) uint32 { return uint32(p) }

// crumb_alloc returns a buffer of size bytes for the host to write
// inputs into, or 0 when size is 0 or above 1 MiB. It stays valid until
// crumb_free.
//
//go:wasmexport crumb_alloc
func crumbAlloc(size uint32) uint32 { return ptr(r.Alloc(size)) }

// crumb_free releases a buffer from crumb_alloc: 0 on success,
// -10 (CodeArgument) if ptr was not a live buffer.
//
//go:wasmexport crumb_free
func crumbFree(p uint32) int32 {
	if !r.Free(uintptr(p)) {
		return int32(wasm.CodeArgument)
	}
	return 0
}

// crumb_configure sets the mode (1 encrypted, 2 hmac, 3 ed448-verify,
// 4 ed448-sign), the ring's text and the cookie name. 0 or a negative
// code.
//
//go:wasmexport crumb_configure
func crumbConfigure(mode, ringPtr, ringLen, namePtr, nameLen uint32) int32 {
	ring, ok1 := r.Bytes(uintptr(ringPtr), ringLen)
	name, ok2 := r.Bytes(uintptr(namePtr), nameLen)
	if !ok1 || !ok2 {
		return int32(wasm.CodeArgument)
	}
	return int32(r.Configure(mode, ring, name))
}

// crumb_open opens a cookie value: the payload's length (the payload is
// the result) or a negative code.
//
//go:wasmexport crumb_open
func crumbOpen(valuePtr, valueLen uint32) int32 {
	v, ok := r.Bytes(uintptr(valuePtr), valueLen)
	if !ok {
		return int32(wasm.CodeArgument)
	}
	return int32(r.Open(v))
}

// crumb_seal seals a payload valid until expires (Unix seconds): the
// cookie value's length (the value is the result) or a negative code.
//
//go:wasmexport crumb_seal
func crumbSeal(payloadPtr, payloadLen uint32, expires int64) int32 {
	p, ok := r.Bytes(uintptr(payloadPtr), payloadLen)
	if !ok {
		return int32(wasm.CodeArgument)
	}
	return int32(r.Seal(p, expires))
}

// crumb_result returns the address of the last result; its length is
// what crumb_open or crumb_seal returned. Valid until the next call.
//
//go:wasmexport crumb_result
func crumbResult() uint32 { return ptr(r.ResultPtr()) }

// crumb_issued_at returns the issued-at time of the last opened value,
// in Unix seconds.
//
//go:wasmexport crumb_issued_at
func crumbIssuedAt() int64 { return r.IssuedAt() }

// crumb_expires returns the expiry of the last opened value, in Unix
// seconds.
//
//go:wasmexport crumb_expires
func crumbExpires() int64 { return r.Expires() }

// crumb_rotated returns 1 when the last opened value was sealed under a
// key other than the ring's primary (re-seal it), else 0.
//
//go:wasmexport crumb_rotated
func crumbRotated() int32 {
	if r.Rotated() {
		return 1
	}
	return 0
}
