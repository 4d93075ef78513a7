// Package wasm is the core of crumb's edge builds: what a WebAssembly
// module needs to open and seal crumb values without net/http, fmt or
// encoding/json, so that it also builds with TinyGo.
//
// It holds three things, all host-independent and testable natively:
//
//   - Modes and NewSymmetricSealer: a sealer configured from a mode name
//     and a ring's text, the way an edge worker gets them from its
//     environment. The Ed448 modes are built by package wasm/pubsealer,
//     so that only modules that use them link public-key code.
//   - The reactor ABI (Reactor, Heap, Code): the state behind the exports of
//     wasm/reactor, a WASI reactor that lets JavaScript on any WASI host
//     open and seal crumb values. docs/edge.md specifies the ABI.
//   - The worker bridge frames (Request, Response, Forward, DecodeRequest,
//     AppendResponse, ...): the compact text framing in which
//     wasm/worker passes a fetch event between the JavaScript shim and Go,
//     with no JSON envelope.
//
// Security contract:
//   - No error or Code carries key material or a cookie value: codes are
//     small integers, and errors wrap the sentinels of package crumb.
//   - Ring text given to Configure or a sealer constructor is parsed and dropped; the
//     reactor keeps only the sealer, and never returns key material.
//   - The reactor copies every input out of the host's buffers before use
//     and accepts only pointers it handed out (Heap), with lengths inside
//     the allocation, so a confused host gets CodeArgument rather than a
//     read of unrelated memory.
//   - Frames are parsed without panicking on any input; a header that could
//     smuggle a line break into the JavaScript side is refused when a
//     response is encoded (ErrHeader), never passed on.
//   - A verify-only mode (ed448-verify) holds no secret at all: an edge that
//     only checks sessions cannot mint them.
package wasm
