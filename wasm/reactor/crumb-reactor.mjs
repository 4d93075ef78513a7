// crumb-reactor.mjs: JavaScript access to crumb's WASI reactor
// (wasm/reactor, built with GOOS=wasip1 -buildmode=c-shared) on hosts
// without WASI for plain modules, such as workerd. It supplies the few
// wasi_snapshot_preview1 functions the reactor imports, with the real
// clock (Date.now) and real randomness (crypto.getRandomValues), and
// wraps the crumb_* exports. docs/edge.md specifies the ABI.
//
//   import { CrumbReactor, MODE } from "./crumb-reactor.mjs";
//   import mod from "./crumb.wasm";              // a compiled WebAssembly.Module
//   const r = await CrumbReactor.create(mod);
//   r.configure(MODE.ED448_VERIFY, env.SESSION_KEYS, "session");
//   const o = r.open(cookieValue);               // { payload, issuedAt, expires, rotated } or { error, code }
//
// One instance serves one request at a time (JavaScript never runs two
// calls into it at once, so one per isolate is fine).

export const MODE = { ENCRYPTED: 1, HMAC: 2, ED448_VERIFY: 3, ED448_SIGN: 4 };

// Error codes, as crumb's sentinel errors name them.
export const ERRORS = {
  [-1]: "malformed", [-2]: "invalid", [-3]: "unknown_key", [-4]: "expired",
  [-5]: "wrong_name", [-6]: "too_large", [-7]: "verify_only", [-8]: "not_configured",
  [-9]: "config", [-10]: "argument", [-11]: "internal",
};

const EBADF = 8;
const EINVAL = 28;
const enc = new TextEncoder();
const dec = new TextDecoder();

function wasi(getMemory) {
  const view = () => new DataView(getMemory().buffer);
  const bytes = () => new Uint8Array(getMemory().buffer);
  return {
    clock_time_get(id, _precision, out) {
      // 0: realtime, for expiry; others: monotonic. Both in ns.
      const ms = id === 0 ? Date.now() : performance.now();
      view().setBigUint64(out, BigInt(Math.round(ms * 1e6)), true);
      return 0;
    },
    random_get(ptr, len) {
      // getRandomValues fills at most 65536 bytes per call.
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes().subarray(ptr + off, ptr + Math.min(len, off + 65536)));
      }
      return 0;
    },
    args_sizes_get(argc, size) { view().setUint32(argc, 0, true); view().setUint32(size, 0, true); return 0; },
    args_get() { return 0; },
    environ_sizes_get(n, size) { view().setUint32(n, 0, true); view().setUint32(size, 0, true); return 0; },
    environ_get() { return 0; },
    fd_write(fd, iovs, iovsLen, nwritten) {
      const v = view();
      let n = 0, text = "";
      for (let i = 0; i < iovsLen; i++) {
        const p = v.getUint32(iovs + i * 8, true), l = v.getUint32(iovs + i * 8 + 4, true);
        text += dec.decode(bytes().subarray(p, p + l));
        n += l;
      }
      if (fd === 1 || fd === 2) console.error("crumb reactor:", text);
      v.setUint32(nwritten, n, true);
      return 0;
    },
    fd_read(_fd, _iovs, _len, nread) { view().setUint32(nread, 0, true); return 0; },
    fd_close() { return 0; },
    fd_fdstat_get(fd, out) {
      if (fd > 2) return EBADF;
      const v = view();
      for (let i = 0; i < 24; i++) v.setUint8(out + i, 0);
      v.setUint8(out, 2); // character device
      return 0;
    },
    fd_fdstat_set_flags() { return 0; },
    fd_prestat_get() { return EBADF; }, // no preopened directories
    fd_prestat_dir_name() { return EBADF; },
    poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
      // Go's runtime sleeps through poll_oneoff (a clock subscription)
      // while it collects garbage, and aborts when the call fails. One
      // call runs at a time and nothing else can wake a sleeper, so every
      // clock subscription is reported as elapsed at once (the runtime
      // re-checks its condition and calls again if it must), and the
      // standard streams as ready. Layouts: a subscription is 48 bytes
      // (userdata u64, tag u8 at 8, then clock id / fd at 16), an event
      // 32 bytes (userdata u64, errno u16 at 8, type u8 at 10).
      const v = view();
      for (let i = 0; i < nsubs; i++) {
        const s = inPtr + i * 48, e = outPtr + i * 32;
        const tag = v.getUint8(s + 8);
        let errno = 0;
        if (tag === 1 || tag === 2) { // fd_read, fd_write
          const fd = v.getUint32(s + 16, true);
          if (tag === 1 || fd < 1 || fd > 2) errno = EBADF;
        } else if (tag !== 0) {
          errno = EINVAL;
        }
        for (let j = 0; j < 32; j++) v.setUint8(e + j, 0);
        v.setBigUint64(e, v.getBigUint64(s, true), true);
        v.setUint16(e + 8, errno, true);
        v.setUint8(e + 10, tag);
      }
      v.setUint32(neventsPtr, nsubs, true);
      return 0;
    },
    sched_yield() { return 0; },
    proc_exit(code) { throw new Error("crumb reactor exited with code " + code); },
  };
}

export class CrumbReactor {
  static async create(module) {
    let memory = null;
    const instance = await WebAssembly.instantiate(module, {
      wasi_snapshot_preview1: wasi(() => memory),
    });
    memory = instance.exports.memory;
    instance.exports._initialize();
    return new CrumbReactor(instance.exports);
  }

  constructor(exports) {
    this.x = exports;
  }

  // call copies each argument into a crumb_alloc buffer, calls fn with
  // (ptr, len) pairs, and frees the buffers.
  call(fn, args, extra = []) {
    const ptrs = [];
    try {
      const flat = [];
      for (const a of args) {
        const b = typeof a === "string" ? enc.encode(a) : a;
        let p = 0;
        if (b.length > 0) {
          p = this.x.crumb_alloc(b.length);
          if (p === 0) return -10;
          ptrs.push(p);
          new Uint8Array(this.x.memory.buffer, p, b.length).set(b);
        }
        flat.push(p, b.length);
      }
      return fn(...flat, ...extra);
    } finally {
      for (const p of ptrs) this.x.crumb_free(p);
    }
  }

  // result copies the last result out. crumb_result runs guest code that
  // may grow memory, which detaches an ArrayBuffer taken before it: read
  // memory.buffer only after the call.
  result(n) {
    const p = this.x.crumb_result();
    return new Uint8Array(this.x.memory.buffer, p, n).slice();
  }

  // configure sets the mode (MODE.*), the ring's text and the cookie
  // name; it throws on a bad configuration.
  configure(mode, ring, name) {
    const c = this.call((rp, rl, np, nl) => this.x.crumb_configure(mode, rp, rl, np, nl), [ring, name]);
    if (c !== 0) throw new Error("crumb: configure failed: " + ERRORS[c]);
  }

  // open returns { payload (Uint8Array), issuedAt, expires (Unix
  // seconds), rotated } or { error, code }.
  open(value) {
    const n = this.call((p, l) => this.x.crumb_open(p, l), [value]);
    if (n < 0) return { error: ERRORS[n] ?? "internal", code: n };
    return {
      payload: this.result(n),
      issuedAt: Number(this.x.crumb_issued_at()),
      expires: Number(this.x.crumb_expires()),
      rotated: this.x.crumb_rotated() === 1,
    };
  }

  // seal returns { value } or { error, code }. expires is Unix seconds.
  seal(payload, expires) {
    const n = this.call((p, l, e) => this.x.crumb_seal(p, l, e), [payload], [BigInt(expires)]);
    if (n < 0) return { error: ERRORS[n] ?? "internal", code: n };
    return { value: dec.decode(this.result(n)) };
  }
}
