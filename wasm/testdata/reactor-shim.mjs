// Checks crumb-reactor.mjs against a stand-in guest whose exports grow
// linear memory, as a real guest may do inside any call: growing
// detaches every ArrayBuffer taken from memory.buffer before, so the
// shim must take its views only after each call. Prints "ok" or throws.
import { CrumbReactor } from "../reactor/crumb-reactor.mjs";

const memory = new WebAssembly.Memory({ initial: 1, maximum: 1000 });
const IN = 1024, OUT = 8192;
const grow = () => memory.grow(1);
const x = {
  memory,
  crumb_alloc(n) { grow(); return IN; },
  crumb_free() { grow(); return 0; },
  // open echoes the value as the payload; seal returns the payload reversed
  crumb_open(p, n) { grow(); new Uint8Array(memory.buffer).copyWithin(OUT, p, p + n); return n; },
  crumb_seal(p, n) {
    grow();
    const b = new Uint8Array(memory.buffer);
    for (let i = 0; i < n; i++) b[OUT + i] = b[p + n - 1 - i];
    return n;
  },
  crumb_result() { grow(); return OUT; },
  crumb_issued_at() { grow(); return 1n; },
  crumb_expires() { grow(); return 2n; },
  crumb_rotated() { grow(); return 0; },
};

const r = new CrumbReactor(x);
const o = r.open("hello");
if (o.error || new TextDecoder().decode(o.payload) !== "hello" || o.issuedAt !== 1 || o.expires !== 2) {
  throw new Error("open through a growing guest: " + JSON.stringify(o));
}
const s = r.seal(new TextEncoder().encode("abc"), 10);
if (s.error || s.value !== "cba") throw new Error("seal through a growing guest: " + JSON.stringify(s));
console.log("ok");
