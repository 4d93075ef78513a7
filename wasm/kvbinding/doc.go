// Package kvbinding is a kvstore.Store over a Workers KV namespace
// binding: the env.NAME object a worker gets for a [[kv_namespaces]]
// entry of its wrangler.toml, used through its get, put and delete
// methods. Use it from a Go module served by package worker (GOOS=js,
// stock Go or TinyGo's -target=wasm) with worker.Options.Async, since
// every call waits on a Promise:
//
//	store, err := kvbinding.New("SESSIONS")
//	backend := kvstore.NewBackend(store, kvstore.BackendOptions{})
//
// Unlike kvstore's Cloudflare store, which reaches KV through the REST
// API with an API token, a binding needs no credentials in the worker
// and never leaves Cloudflare's network.
//
// Semantics, as kvstore's other stores:
//   - Get of a missing or expired key is ErrNotFound; Set writes with
//     expirationTtl, the TTL rounded up to whole seconds and raised to
//     KV's minimum of 60 s; Delete of a missing key succeeds.
//   - Keys are 1 to 512 bytes (kvstore.MaxKeyLen) and not "." or "..",
//     which KV refuses; values at most 25 MiB (MaxValueLen). Both are
//     checked before any call, as ErrBadKey and ErrTooLarge.
//   - Every failure of the binding (a rejected Promise: KV unreachable,
//     rate-limited, an internal error) is ErrUnavailable, so the gate
//     answers 503 and never a success for a write that did not happen.
//     A context that ends first is ErrTimeout, also wrapping ctx.Err();
//     the write may still happen.
//   - Touch and the conditional writes answer errors.ErrUnsupported:
//     KV has neither (as kvstore's Cloudflare store). Sessions then
//     re-puts to renew, and its revocation guarantees are as good as
//     KV's eventual consistency allows (docs/kvstore.md, Cloudflare
//     section): a write another location made may take up to 60 s to
//     be seen.
//   - Errors carry the operation and the JavaScript error's name, never
//     a key, a value or the runtime's message.
package kvbinding
