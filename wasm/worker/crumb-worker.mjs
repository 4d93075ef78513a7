// crumb-worker.mjs: crumb's bridge between a Workers fetch handler
// (workerd, Cloudflare Workers) and a Go module built with
// GOOS=js GOARCH=wasm that calls worker.Serve (package
// github.com/crumbkit/crumb/wasm/worker).
//
// Copy this file next to Go's own wasm_exec.js, taken from
// $(go env GOROOT)/lib/wasm/wasm_exec.js of the Go that built the module
// (the two must match), and write a main module:
//
//   import { crumbWorker } from "./crumb-worker.mjs";
//   import mod from "./app.wasm";   // a compiled WebAssembly.Module
//   export default crumbWorker(mod);
//
// What crosses, both ways: method, URL, every header (each Set-Cookie
// separately, added with Headers.append so none is collapsed) and the
// body. The framing is plain text lines, not JSON: see docs/edge.md.
// Text bindings and secrets of the worker's env become the Go program's
// environment variables (os.Getenv).

import "./wasm_exec.js"; // defines globalThis.Go

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

// Outbound fetches made by Go's worker.Fetch: a request frame in, a
// response frame out. Redirects are returned, not followed.
globalThis.__crumbkit_fetch = async function (frame, signal) {
  const f = parseFrame(frame);
  const sp = f.first.indexOf(" ");
  const method = f.first.slice(0, sp);
  const init = { method, headers: toHeaders(f.lines), redirect: "manual", signal };
  if (f.rest.length > 0 && method !== "GET" && method !== "HEAD") init.body = f.rest;
  const res = await fetch(f.first.slice(sp + 1), init);
  const body = new Uint8Array(await res.arrayBuffer());
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

async function start(module, env) {
  const go = new globalThis.Go();
  go.env = envStrings(env);
  go.argv = ["worker"];
  const instance = await WebAssembly.instantiate(module, go.importObject);
  // run() executes main synchronously up to its first block (the
  // select{} in worker.Serve), so the handler is registered when it
  // returns its promise. The promise settles only if main exits.
  const state = { dead: false };
  go.run(instance).then(
    () => { state.dead = true; },
    () => { state.dead = true; },
  );
  const reg = globalThis.__crumbkit_serve;
  delete globalThis.__crumbkit_serve;
  if (!reg || typeof reg.serve !== "function") {
    throw new Error("crumb: the Go module did not call worker.Serve");
  }
  state.serve = reg.serve;
  state.body = reg.body;
  state.async = reg.async;
  return state;
}

async function forward(request, body, f) {
  const sp = f.first.indexOf(" ", 2);
  const method = f.first.slice(2, sp);
  const url = f.first.slice(sp + 1);
  const init = { method, headers: toHeaders(f.lines), redirect: "manual" };
  if (method !== "GET" && method !== "HEAD") init.body = body ?? request.body;
  const res = await fetch(url, init);
  const extra = dec.decode(f.rest).split("\n");
  if (extra.every((l) => l === "")) return res;
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
  return out;
}

// crumbWorker returns a module-worker object ({ fetch }) serving the Go
// module. The instance is made on the first request (workerd refuses to
// compile wasm at load time without a request, and env arrives with
// the request) and reused; if the Go program ever exits, the next
// request makes a new one.
export function crumbWorker(module) {
  let starting = null;
  return {
    async fetch(request, env, ctx) {
      if (starting === null) starting = start(module, env);
      let st;
      try {
        st = await starting;
      } catch (e) {
        starting = null;
        console.error("crumb: starting the Go module failed:", e && e.name);
        return new Response("internal error\n", { status: 500 });
      }
      let body = null;
      const head = enc.encode(request.method + " " + request.url + "\n" + headerLines(request.headers) + "\n");
      if (st.body && request.body !== null) body = new Uint8Array(await request.arrayBuffer());
      const frame = concat(head, body);
      let out;
      try {
        if (st.dead) throw new Error("Go program has exited");
        out = st.serve(frame, frame.length);
        if (st.async) out = await out;
      } catch (e) {
        // The Go program exited (a fatal error): drop the instance so
        // the next request starts a fresh one.
        if (starting !== null) starting = null;
        console.error("crumb: the Go module failed:", e && e.message);
        return new Response("internal error\n", { status: 500 });
      }
      const f = parseFrame(out);
      if (f.first.startsWith("F ")) return forward(request, body, f);
      const status = Number(f.first);
      return new Response(NULL_BODY.has(status) ? null : f.rest, { status, headers: toHeaders(f.lines) });
    },
  };
}
