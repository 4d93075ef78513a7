// crumb-worker.mjs: crumb's bridge between a Workers fetch handler
// (workerd, Cloudflare Workers) and a Go module built with
// GOOS=js GOARCH=wasm (stock Go) or -target=wasm (TinyGo) that calls
// worker.Serve (package github.com/crumbkit/crumb/wasm/worker).
//
// Put this file next to the wasm_exec.js of the compiler that built
// the module: $(go env GOROOT)/lib/wasm/wasm_exec.js for stock Go,
// $(tinygo env TINYGOROOT)/targets/wasm_exec.js for TinyGo (a module
// needs its own compiler's loader). `crumb-edge init` writes both, and
// a main module:
//
//   import { crumbWorker } from "./crumb-worker.mjs";
//   import mod from "./app.wasm";   // a compiled WebAssembly.Module
//   export default crumbWorker(mod);
//
// What crosses, both ways: method, URL, every header (each Set-Cookie
// separately, added with Headers.append so none is collapsed) and the
// body. The framing is plain text lines, not JSON: see docs/edge.md.
// Text bindings and secrets of the worker's env reach Go through
// worker.Getenv (with stock Go also as environment variables, os.Getenv;
// TinyGo's js runtime has no environment), and every binding through
// worker.Binding.
//
// PROTOCOL must equal worker.Protocol of the crumb version that built
// the module: each side checks the other's, and a mismatch fails every
// request with a 500 and both versions named on the console.

import "./wasm_exec.js"; // defines globalThis.Go

const PROTOCOL = 2;

const enc = new TextEncoder();
const dec = new TextDecoder();
const NULL_BODY = new Set([204, 205, 304]);

// headerLines renders headers as "name:value\n" lines, every Set-Cookie
// on its own line.
function headerLines(headers) {
  let s = "";
  for (const [k, v] of headers) {
    if (k !== "set-cookie") s += k + ":" + v + "\n";
  }
  for (const v of headers.getSetCookie()) s += "set-cookie:" + v + "\n";
  return s;
}

function concat(head, body) {
  if (!body || body.length === 0) return head;
  const buf = new Uint8Array(head.length + body.length);
  buf.set(head);
  buf.set(body, head.length);
  return buf;
}

// headEnd returns the index of the first empty line's LF pair.
function headEnd(b) {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] === 10 && b[i + 1] === 10) return i;
  }
  return -1;
}

function appendLines(headers, lines) {
  for (const l of lines) {
    if (l === "") continue;
    const c = l.indexOf(":");
    headers.append(l.slice(0, c), l.slice(c + 1));
  }
}

// parseFrame splits a frame into its first line, the header lines of
// its first section, and the bytes after that section.
function parseFrame(b) {
  const end = headEnd(b);
  if (end < 0) throw new Error("crumb: malformed frame");
  const lines = dec.decode(b.subarray(0, end)).split("\n");
  return { first: lines[0], lines: lines.slice(1), rest: b.subarray(end + 2) };
}

// toHeaders builds a Headers from "name:value" lines.
function toHeaders(lines) {
  const h = new Headers();
  appendLines(h, lines);
  return h;
}

// DEFAULT_MAX_RESPONSE_BODY matches worker.DefaultMaxResponseBody; Go
// passes its Fetcher's limit with every call.
const DEFAULT_MAX_RESPONSE_BODY = 4 << 20;

// ResponseTooLarge is how a body over the limit is reported; Go maps the
// name to worker.ErrResponseTooLarge.
class ResponseTooLarge extends Error {
  constructor() {
    super("crumb: fetched response body over the limit");
    this.name = "CrumbResponseTooLarge";
  }
}

// readCapped reads a response body of at most limit bytes. It refuses a
// declared Content-Length over the limit before reading, and otherwise
// counts while the body streams in, cancelling it at the first chunk
// past the limit: a store that answers with too much (or never stops)
// costs at most limit bytes of the isolate's memory, not the whole body.
async function readCapped(res, limit) {
  if (res.body === null) return new Uint8Array(0);
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    res.body.cancel().catch(() => {});
    throw new ResponseTooLarge();
  }
  const reader = res.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      reader.cancel().catch(() => {});
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    body.set(c, off);
    off += c.byteLength;
  }
  return body;
}

// Outbound fetches made by Go's worker.Fetch: a request frame in, a
// response frame out, the body at most limit bytes. Redirects are
// returned, not followed.
globalThis.__crumbkit_fetch = async function (frame, signal, limit) {
  const f = parseFrame(frame);
  const sp = f.first.indexOf(" ");
  const method = f.first.slice(0, sp);
  const init = { method, headers: toHeaders(f.lines), redirect: "manual", signal };
  if (f.rest.length > 0 && method !== "GET" && method !== "HEAD") init.body = f.rest;
  const res = await fetch(f.first.slice(sp + 1), init);
  const max = typeof limit === "number" && limit > 0 ? limit : DEFAULT_MAX_RESPONSE_BODY;
  const body = await readCapped(res, max);
  return concat(enc.encode(res.status + "\n" + headerLines(res.headers) + "\n"), body);
};

function cookieName(setCookie) {
  const i = setCookie.indexOf("=");
  return (i < 0 ? setCookie : setCookie.slice(0, i)).trim();
}

function envStrings(env) {
  const out = {};
  for (const k in env) {
    if (typeof env[k] === "string") out[k] = env[k];
  }
  return out;
}

const EXITED = "Go program has exited";

// start instantiates the module and runs Go's main up to worker.Serve.
// onExit runs once if the Go program ever exits.
async function start(module, env, onExit) {
  const go = new globalThis.Go();
  const strings = envStrings(env);
  go.env = strings; // stock Go's os.Getenv
  go.argv = ["worker"];
  // What worker.Getenv, worker.Binding and Serve's protocol check read.
  globalThis.__crumbkit_env = strings;
  globalThis.__crumbkit_bindings = env;
  globalThis.__crumbkit_shim = PROTOCOL;
  const state = { dead: false, pending: new Set() };
  // exited fails every request still waiting on Go: after an exit
  // (a panic in a goroutine, a fatal runtime error) nothing would
  // settle their Promises, and the client would wait until the
  // runtime gave up on the request.
  const exited = () => {
    if (state.dead) return;
    state.dead = true;
    const err = new Error(EXITED);
    for (const reject of state.pending) reject(err);
    state.pending.clear();
    onExit();
  };
  watchExit(go, state, exited);
  const instance = await WebAssembly.instantiate(module, go.importObject);
  // run() executes main synchronously up to its first block (the
  // select{} in worker.Serve), so the handler is registered when it
  // returns its promise. The promise settles only if main exits.
  go.run(instance).then(exited, exited);
  const reg = globalThis.__crumbkit_serve;
  delete globalThis.__crumbkit_serve;
  if (!reg || typeof reg.serve !== "function") {
    exited();
    throw new Error("crumb: the Go module did not call worker.Serve");
  }
  if (reg.protocol !== PROTOCOL) {
    exited();
    throw new Error("crumb: crumb-worker.mjs speaks protocol " + PROTOCOL + ", the Go module " +
      (typeof reg.protocol === "number" ? reg.protocol : "none (an older crumb)") +
      ": write the shim from the crumb version that built the module");
  }
  state.serve = reg.serve;
  state.body = reg.body;
  state.async = reg.async;
  return state;
}

// watchExit makes exited run when the Go program ends, whichever
// compiler's wasm_exec.js is loaded. The Promise go.run returns is not
// enough: it belongs to the request that started the instance, and
// workerd cancels its continuations once that request is done.
//   - Stock Go's wasm_exec.js calls go.exit synchronously, from inside
//     the module, when the program exits (Node's loader sets it too).
//   - TinyGo's has no such hook. Its panics execute the wasm
//     "unreachable" instruction, which throws out of whichever export
//     was running: resume (a call into a Go func, such as serve or a
//     fetch's callbacks) or go_scheduler (a goroutine woken by a
//     timer); os.Exit calls WASI's proc_exit. All three are wrapped.
function watchExit(go, state, exited) {
  const warn = go.exit;
  go.exit = (code) => {
    try {
      if (typeof warn === "function") warn.call(go, code);
    } finally {
      exited();
    }
  };
  const resume = go._resume;
  if (typeof resume === "function") {
    go._resume = function () {
      try {
        return resume.call(this);
      } catch (e) {
        exited();
        throw e;
      }
    };
  }
  const wasi = go.importObject.wasi_snapshot_preview1;
  if (wasi && typeof wasi.proc_exit === "function") {
    const procExit = wasi.proc_exit;
    wasi.proc_exit = (code) => {
      exited();
      return procExit(code);
    };
  }
  const gojs = go.importObject.gojs;
  if (gojs && typeof gojs["runtime.sleepTicks"] === "function") {
    // TinyGo's: schedule the scheduler, guarded.
    const sleepTicks = (timeout) => {
      setTimeout(() => {
        if (state.dead) return;
        try {
          go._inst.exports.go_scheduler();
        } catch (e) {
          console.error("crumb: the Go module trapped:", e && e.message);
          exited();
        }
      }, timeout);
    };
    gojs["runtime.sleepTicks"] = sleepTicks;
    // TinyGo maps the old module name "env" to the same object.
    if (go.importObject.env && go.importObject.env !== gojs) go.importObject.env["runtime.sleepTicks"] = sleepTicks;
  }
}

// call hands one request frame to Go and returns its answer frame. In
// Async mode Go answers with a Promise that a goroutine settles; it is
// also rejected if the Go program exits first.
async function call(st, frame) {
  if (st.dead) throw new Error(EXITED);
  let out = st.serve(frame, frame.length);
  if (st.async && !st.dead) {
    out = await new Promise((resolve, reject) => {
      st.pending.add(reject);
      Promise.resolve(out).then(
        (v) => { st.pending.delete(reject); resolve(v); },
        (e) => { st.pending.delete(reject); reject(e); },
      );
    });
  }
  // A program that exited inside the call returns nothing.
  if (st.dead || !(out instanceof Uint8Array)) throw new Error(EXITED);
  return out;
}

// directives splits a Cache-Control value at the commas outside quoted
// strings (no-cache="a, private" is one directive), as cookiestore's
// Go code does.
function directives(v) {
  const out = [];
  let quoted = false, start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '"') quoted = !quoted;
    else if (c === "\\" && quoted) i++;
    else if (c === "," && !quoted) {
      const d = v.slice(start, i).trim();
      if (d !== "") out.push(d);
      start = i + 1;
    }
  }
  const d = v.slice(start).trim();
  if (d !== "") out.push(d);
  return out;
}

// keepsSharedCachesOut: private or no-store without arguments
// (private="Set-Cookie" lets a shared cache store the rest).
function keepsSharedCachesOut(ds) {
  return ds.some((d) => d.toLowerCase() === "private" || d.toLowerCase() === "no-store");
}

// privateCacheControl is cookiestore.PrivateCacheControl: the value
// when it keeps shared caches out, else "private" followed by its
// directives without public and s-maxage.
function privateCacheControl(v) {
  const ds = directives(v);
  if (keepsSharedCachesOut(ds)) return v;
  let out = "private";
  for (const d of ds) {
    const n = d.split("=", 1)[0].trim().toLowerCase();
    if (n !== "public" && n !== "s-maxage") out += ", " + d;
  }
  return out;
}

// noStoreCacheControl is cookiestore.CacheControl, for a response that
// carries a Set-Cookie.
function noStoreCacheControl(v) {
  return keepsSharedCachesOut(directives(v)) ? v : "private, no-store";
}

// varyCookie merges Cookie into Vary, keeping the origin's names.
function varyCookie(h) {
  const v = (h.get("vary") ?? "").trim();
  if (v === "") {
    h.set("vary", "Cookie");
    return;
  }
  const names = v.split(",").map((n) => n.trim().toLowerCase());
  if (!names.includes("cookie") && !names.includes("*")) h.set("vary", v + ", Cookie");
}

// CACHE maps the forward frame's cache word to what it does to the
// origin's response headers (wasm.Cache in Go).
const CACHE = {
  "vary-cookie": (h) => varyCookie(h),
  "private": (h) => {
    varyCookie(h);
    h.set("cache-control", privateCacheControl(h.get("cache-control") ?? ""));
  },
  "no-store": (h) => {
    varyCookie(h);
    h.set("cache-control", noStoreCacheControl(h.get("cache-control") ?? ""));
  },
};

async function forward(request, body, f) {
  // "F" SP method SP url [SP cache]
  const parts = f.first.split(" ");
  if (parts.length < 3 || parts.length > 4) throw new Error("crumb: malformed forward frame");
  const [, method, url, cache] = parts;
  // An unknown word fails the request: serving the origin's caching
  // headers unchanged could let a shared cache hand one user's page to
  // another.
  let policy = null;
  if (cache !== undefined) {
    if (!Object.hasOwn(CACHE, cache)) throw new Error("crumb: unknown cache word in a forward frame");
    policy = CACHE[cache];
  }
  const init = { method, headers: toHeaders(f.lines), redirect: "manual" };
  if (method !== "GET" && method !== "HEAD") init.body = body ?? request.body;
  const res = await fetch(url, init);
  const extra = dec.decode(f.rest).split("\n");
  if (policy === null && extra.every((l) => l === "")) return res;
  const out = new Response(res.body, res); // mutable headers
  // The origin's own Set-Cookie for a name wins over the edge's: a
  // session the origin changed, or destroyed at logout, must not be
  // overwritten by a renewal the edge made from the old value.
  const originSets = new Set(res.headers.getSetCookie().map(cookieName));
  for (const l of extra) {
    if (l === "") continue;
    const c = l.indexOf(":");
    const k = l.slice(0, c), v = l.slice(c + 1);
    if (k.toLowerCase() === "set-cookie" && originSets.has(cookieName(v))) continue;
    out.headers.append(k, v);
  }
  // Last, so the edge's rule is what the client and caches see.
  if (policy !== null) policy(out.headers);
  return out;
}

// crumbWorker returns a module-worker object ({ fetch }) serving the Go
// module. The instance is made on the first request (workerd refuses to
// compile wasm at load time without a request, and env arrives with
// the request) and reused; if the Go program ever exits, the requests
// waiting on it get a 500 at once and the next request makes a new
// instance.
export function crumbWorker(module) {
  let current = null; // the live instance's state, as a Promise
  const instance = (env) => {
    if (current === null) {
      const p = start(module, env, () => {
        if (current === p) current = null;
      });
      p.catch(() => {
        if (current === p) current = null;
      });
      current = p;
    }
    return current;
  };
  return {
    async fetch(request, env, ctx) {
      let st;
      try {
        st = await instance(env);
        // It may have exited since this request started waiting.
        if (st.dead) st = await instance(env);
      } catch (e) {
        // The message: it names a compile error or a protocol
        // mismatch, never a request's data.
        console.error("crumb: starting the Go module failed:", e && e.message);
        return new Response("internal error\n", { status: 500 });
      }
      let body = null;
      const head = enc.encode(request.method + " " + request.url + "\n" + headerLines(request.headers) + "\n");
      if (st.body && request.body !== null) body = new Uint8Array(await request.arrayBuffer());
      const frame = concat(head, body);
      let out;
      try {
        out = await call(st, frame);
      } catch (e) {
        console.error("crumb: the Go module failed:", e && e.message);
        return new Response("internal error\n", { status: 500 });
      }
      const f = parseFrame(out);
      if (f.first.startsWith("F ")) {
        try {
          return await forward(request, body, f);
        } catch (e) {
          // The name only: a fetch error's message may quote the URL.
          console.error("crumb: forwarding failed:", e && e.name);
          return new Response("internal error\n", { status: 500 });
        }
      }
      const status = Number(f.first);
      return new Response(NULL_BODY.has(status) ? null : f.rest, { status, headers: toHeaders(f.lines) });
    },
  };
}
