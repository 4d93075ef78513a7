// jsgate.mjs: the edge gate's job written by hand in plain JavaScript
// with WebCrypto, the way a Workers developer would without crumb's
// wasm, as the baseline crumb's gates are measured against. From
// docs/FORMAT.md alone it opens an encrypted crumb cookie (aes-gcm,
// format byte 0x05), checks its expiry, takes the identity from the
// session record's data, and forwards the request to the origin with
// that identity in a header the client cannot forge. Anonymous requests
// for protected paths are sent to the login page.
//
// It does less than crumb's gate (no renewal, no idle or absolute
// lifetimes, no path canonicalisation, no cache headers, no key
// rotation beyond opening under every ring key): the comparison flatters
// it, if anything.
//
// Bindings (the same names as crumb's gate): SESSION_KEYS (the ring's
// text), ORIGIN_URL, PROTECTED_PATHS (comma-separated prefixes),
// LOGIN_PATH, SESSION_COOKIE (default "session"), IDENTITY_HEADER
// (default X-Crumb-User), IDENTITY_FIELD (default "email").

const subtle = crypto.subtle;
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const LABEL = "crumb/v1/encrypted/aes-256-gcm";
const SKEW = 30; // seconds, crumb's default

const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VAL = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VAL[ALPHA.charCodeAt(i)] = i;

// b64url decodes strict base64url without padding, or returns null.
function b64url(s) {
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0, bits = 0, j = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? VAL[c] : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff; bits += 6;
    if (bits >= 8) { bits -= 8; out[j++] = (acc >> bits) & 0xff; }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const u32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

function fnv1a32(name) {
  let h = 0x811c9dc5;
  for (const c of enc.encode(name)) h = Math.imul(h ^ c, 16777619) >>> 0;
  return h >>> 0;
}

// The ring: key ID -> the AES key (as AES-CTR, to compute single blocks)
// from which each value's AES-GCM key is derived.
async function loadRing(text) {
  text = text.trim();
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (m) text = m[2];
  const ring = new Map();
  for (const f of text.split(/[,\s]+/).filter(Boolean)) {
    const key = b64url(f.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"));
    if (key === null || key.length !== 32) throw new Error("SESSION_KEYS: bad key");
    const hk = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const id = u32(new Uint8Array(await subtle.sign("HMAC", hk, enc.encode("crumb/v1/key-id"))), 0);
    const ikm = await subtle.importKey("raw", key, "HKDF", false, ["deriveBits"]);
    const sub = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode(LABEL) }, ikm, 256);
    ring.set(id, await subtle.importKey("raw", sub, "AES-CTR", false, ["encrypt"]));
  }
  if (ring.size === 0) throw new Error("SESSION_KEYS: no keys");
  return ring;
}

// open returns the payload of a valid, unexpired value, or null.
async function open(ring, name, nameTag, value, now) {
  if (value.length > 16384) return null;
  const raw = b64url(value);
  if (raw === null || raw.length < 17 + 24 + 16 || raw[0] !== 0x05) return null;
  const key = ring.get(u32(raw, 1));
  if (!key || u32(raw, 5) !== nameTag) return null;
  const iat = u32(raw, 9), exp = u32(raw, 13);
  // The value's AES-GCM key: four AES blocks of the ring key over
  // salt || counter, 8 bytes of each (FORMAT.md), one AES-CTR call.
  const salt = raw.subarray(17, 29), nonce = raw.subarray(29, 41);
  const blocks = new Uint8Array(64);
  for (let i = 0; i < 4; i++) {
    const ctr = concat(salt, Uint8Array.of(0, 0, 0, i + 1));
    const b = new Uint8Array(await subtle.encrypt({ name: "AES-CTR", counter: ctr, length: 32 }, key, new Uint8Array(16)));
    blocks.set(b.subarray(0, 8), i * 8);
  }
  const gk = await subtle.importKey("raw", blocks.subarray(0, 32), "AES-GCM", false, ["decrypt"]);
  const n = enc.encode(name);
  const aad = concat(enc.encode(LABEL), Uint8Array.of(0, n.length >> 8, n.length & 0xff), n, raw.subarray(0, 17));
  let payload;
  try {
    payload = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 }, gk, raw.subarray(41)));
  } catch {
    return null;
  }
  if (now >= exp + SKEW || iat > now + SKEW) return null;
  return payload;
}

function cookieValue(header, name) {
  if (!header) return null;
  for (const part of header.split(/[;,]/)) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

let state = null;

async function setup(env) {
  const name = env.SESSION_COOKIE || "session";
  return {
    ring: await loadRing(env.SESSION_KEYS || ""),
    name,
    nameTag: fnv1a32(name),
    origin: env.ORIGIN_URL,
    protected: (env.PROTECTED_PATHS || "").split(",").map((p) => p.trim()).filter(Boolean),
    login: env.LOGIN_PATH || "/",
    header: (env.IDENTITY_HEADER || "X-Crumb-User").toLowerCase(),
    field: env.IDENTITY_FIELD || "email",
  };
}

export default {
  async fetch(request, env) {
    state ??= await setup(env);
    const s = state;
    const url = new URL(request.url);
    let identity = "";
    const value = cookieValue(request.headers.get("cookie"), s.name);
    if (value !== null) {
      const payload = await open(s.ring, s.name, s.nameTag, value, Math.floor(Date.now() / 1000));
      if (payload !== null) {
        try {
          const rec = JSON.parse(dec.decode(payload));
          const v = rec && rec.d && rec.d[s.field];
          if (typeof v === "string") identity = v;
        } catch {
          identity = "";
        }
      }
    }
    const path = url.pathname.toLowerCase();
    if (!identity && s.protected.some((p) => path.startsWith(p))) {
      return new Response(null, { status: 303, headers: { location: s.login, vary: "Cookie" } });
    }
    const headers = new Headers(request.headers);
    headers.delete(s.header);
    if (identity) headers.set(s.header, identity);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return fetch(s.origin + url.pathname + url.search, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: "manual",
    });
  },
};
