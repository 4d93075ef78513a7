// A crumb reader written from docs/FORMAT.md alone, with WebCrypto only
// (globalThis.crypto.subtle): what an edge worker in JavaScript would
// do. It opens every vector in ../*.json and checks the outcome.
//
//   node testdata/vectors/jsreader/reader.mjs
//
// Ed448 needs a WebCrypto with Ed448 (Node has it); where it is missing
// those vectors are skipped and counted as such.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

class CrumbError extends Error {
  constructor(kind) { super(kind); this.kind = kind; }
}
const fail = (kind) => { throw new CrumbError(kind); };

const FORMATS = { unsigned: 0x01, hmac: 0x02, ed448: 0x03, ed25519: 0x04, "aes-gcm": 0x05 };
const LABELS = {
  hmac: "crumb/v1/signed/hmac-sha256",
  ed448: "crumb/v1/signed/ed448",
  ed25519: "crumb/v1/signed/ed25519",
  "aes-gcm": "crumb/v1/encrypted/aes-256-gcm",
};
// Trailer after the payload, and bytes between header and payload.
const TRAILER = { unsigned: 0, hmac: 32, ed448: 114, ed25519: 64, "aes-gcm": 16 };
const PREFIX = { unsigned: 0, hmac: 0, ed448: 0, ed25519: 0, "aes-gcm": 24 };

// Strict base64url without padding: alphabet only, length not 1 mod 4,
// unused bits of the last character zero.
const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
function b64urlDecode(s) {
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0, bits = 0, j = 0;
  for (const ch of s) {
    const v = ALPHA.indexOf(ch);
    if (v < 0) return null;
    acc = (acc << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; out[j++] = (acc >> bits) & 0xff; }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null; // non-canonical
  return out;
}
// Ring key text (FORMAT.md section 4): trailing "=" ignored; one
// alphabet per key (standard when it holds "+" or "/"); the unused low
// bits of the last character ignored.
function keyDecode(s) {
  s = s.replace(/=+$/, "");
  if (/[+/]/.test(s)) {
    if (/[-_]/.test(s)) throw new Error("key mixes base64 alphabets");
    s = s.replace(/\+/g, "-").replace(/\//g, "_");
  }
  if (s.length % 4 === 1) throw new Error("key is not base64");
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0, bits = 0, j = 0;
  for (const ch of s) {
    const v = ALPHA.indexOf(ch);
    if (v < 0) throw new Error("key is not base64");
    acc = ((acc << 6) | v) & 0xffffff; bits += 6;
    if (bits >= 8) { bits -= 8; out[j++] = (acc >> bits) & 0xff; }
  }
  return out;
}

// Cookie names (FORMAT.md section 3): 1 to 255 bytes of RFC 6265 token
// characters.
function validName(name) {
  const b = enc.encode(name);
  if (b.length < 1 || b.length > 255) return false;
  for (const c of b) {
    if (c <= 0x20 || c >= 0x7f || '()<>@,;:\\"/[]?={}'.includes(String.fromCharCode(c))) return false;
  }
  return true;
}

// Public-key validation (FORMAT.md section 4): the encoding must be
// canonical, decode to a point on the curve, and the point must not
// have small order. Doubling needs only x^2 and y, so no square root is
// taken: X2' = 4 X2 y^2 / (1 + d X2 y^2)^2, y' = (y^2 - a X2) / (1 - d X2 y^2).
const CURVES = {
  ed25519: { p: 2n ** 255n - 19n, a: -1n, dNum: -121665n, dDen: 121666n, len: 32, doublings: 3 },
  ed448: { p: 2n ** 448n - 2n ** 224n - 1n, a: 1n, dNum: -39081n, dDen: 1n, len: 57, doublings: 2 },
};
const mod = (x, p) => ((x % p) + p) % p;
function powmod(b, e, p) {
  let r = 1n; b = mod(b, p);
  for (; e > 0n; e >>= 1n) { if (e & 1n) r = (r * b) % p; b = (b * b) % p; }
  return r;
}
const inv = (x, p) => powmod(x, p - 2n, p);
class BadPoint extends Error {}
function checkPublicKey(scheme, pub) {
  const c = CURVES[scheme];
  const { p, a } = c;
  if (pub.length !== c.len) throw new BadPoint("public key has the wrong size");
  const d = mod(c.dNum * inv(c.dDen, p), p);
  const le = Uint8Array.from(pub);
  const sign = le[c.len - 1] >> 7;
  le[c.len - 1] &= 0x7f;
  if (scheme === "ed448" && le[56] !== 0) throw new BadPoint("public key is not canonically encoded");
  let y = 0n;
  for (let i = le.length - 1; i >= 0; i--) y = (y << 8n) | BigInt(le[i]);
  if (y >= p) throw new BadPoint("public key is not canonically encoded");
  // a x^2 + y^2 = 1 + d x^2 y^2  =>  x^2 = (y^2 - 1) / (d y^2 - a)
  let y2 = (y * y) % p;
  let X2 = mod((y2 - 1n) * inv(mod(d * y2 - a, p), p), p);
  if (X2 === 0n) {
    if (sign === 1) throw new BadPoint("public key is not canonically encoded");
  } else if (powmod(X2, (p - 1n) / 2n, p) !== 1n) {
    throw new BadPoint("public key is not a point on the curve");
  }
  for (let i = 0; i < c.doublings; i++) {
    const t = mod(d * X2 * y2, p);
    const nX2 = mod(4n * X2 * y2 * inv(mod((1n + t) * (1n + t), p), p), p);
    const ny = mod((y2 - a * X2) * inv(mod(1n - t, p), p), p);
    X2 = nX2; y = ny; y2 = (y * y) % p;
  }
  if (X2 === 0n && y === 1n) throw new BadPoint("public key has small order");
}

const u32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
function fnv1a32(name) {
  let h = 0x811c9dc5;
  for (const c of enc.encode(name)) h = Math.imul(h ^ c, 16777619) >>> 0;
  return h >>> 0;
}
function context(label, name) {
  const n = enc.encode(name);
  return concat(enc.encode(label), Uint8Array.of(0, n.length >> 8, n.length & 0xff), n);
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

async function hkdf(ikm, info) {
  const k = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode(info) }, k, 256);
  return new Uint8Array(bits);
}
async function symmetricID(key) {
  const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return u32(new Uint8Array(await subtle.sign("HMAC", k, enc.encode("crumb/v1/key-id"))), 0);
}
async function publicID(scheme, pub) {
  const h = new Uint8Array(await subtle.digest("SHA-256", concat(enc.encode(`crumb/v1/key-id\0${scheme}\0`), pub)));
  return u32(h, 0);
}

// One AES block, AES_K(block), through AES-CTR (WebCrypto has no ECB):
// the CTR keystream's first block is the encryption of the counter.
async function aesBlock(kdk, block) {
  const out = await subtle.encrypt({ name: "AES-CTR", counter: block, length: 32 }, kdk, new Uint8Array(16));
  return new Uint8Array(out);
}

// Builds the ring: key ID -> { index, material }.
// The ring text grammar of FORMAT.md section 4.
const unquote = (s) => (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0] ? s.slice(1, -1).trim() : s);
async function loadRing(sealer, text) {
  if (sealer === "unsigned") return new Map();
  text = unquote(text.trim());
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (m) {
    const rest = m[2];
    if (rest !== "" && !"=, \n\t\r".includes(rest[0])) text = unquote(rest);
    else if (rest === "" && m[1].length !== 43) throw new Error("empty ring");
  }
  const ring = new Map();
  const fields = text.split(/[, \n\t\r]+/).filter(Boolean);
  if (fields.length === 0) throw new Error("empty ring");
  for (const [i, f] of fields.entries()) {
    if (sealer === "hmac" || sealer === "aes-gcm") {
      const key = keyDecode(f);
      if (key.length !== 32) throw new Error("key is not 32 bytes");
      if (new Set(key).size < 8) throw new Error("weak key");
      const id = await symmetricID(key);
      const sub = await hkdf(key, sealer === "hmac" ? "crumb/v1/signed/hmac-sha256" : "crumb/v1/encrypted/aes-256-gcm");
      const ck = sealer === "hmac"
        ? await subtle.importKey("raw", sub, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
        : await subtle.importKey("raw", sub, "AES-CTR", false, ["encrypt"]);
      ring.set(id, { index: i, key: ck });
    } else {
      const prefix = `${sealer}-public:`;
      if (!f.startsWith(prefix)) throw new Error("not a public key");
      const pub = keyDecode(f.slice(prefix.length));
      checkPublicKey(sealer, pub);
      const id = await publicID(sealer, pub);
      const alg = sealer === "ed448" ? { name: "Ed448" } : { name: "Ed25519" };
      ring.set(id, { index: i, key: await subtle.importKey("raw", pub, alg, false, ["verify"]) });
    }
  }
  return ring;
}

// open follows FORMAT.md's "Opening" steps in order.
async function open(sealer, ring, name, value, now, skew, maxLen) {
  if (!validName(name)) fail("wrong_name");
  if (enc.encode(value).length > maxLen) fail("too_large"); // bytes, not characters
  const trailer = TRAILER[sealer], prefix = PREFIX[sealer];
  const minLen = 17 + prefix + trailer;
  const raw = b64urlDecode(value);
  if (raw === null) fail("malformed");
  if (raw.length < minLen) fail("malformed");
  if (raw[0] !== FORMATS[sealer]) fail("malformed");
  const keyID = u32(raw, 1), tag = u32(raw, 5), iat = u32(raw, 9), exp = u32(raw, 13);
  let entry = null;
  if (sealer === "unsigned") {
    if (keyID !== 0) fail("malformed");
  } else {
    entry = ring.get(keyID);
    if (!entry) fail("unknown_key");
  }
  if (tag !== fnv1a32(name)) fail("wrong_name");
  const header = raw.subarray(0, 17);
  let payload;
  if (sealer === "hmac") {
    const body = raw.subarray(0, raw.length - 32);
    const mac = new Uint8Array(await subtle.sign("HMAC", entry.key, concat(context(LABELS.hmac, name), body)));
    const got = raw.subarray(raw.length - 32);
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= mac[i] ^ got[i];
    if (diff !== 0) fail("invalid");
    payload = body.subarray(17);
  } else if (sealer === "ed448" || sealer === "ed25519") {
    const body = raw.subarray(0, raw.length - trailer);
    const ok = await subtle.verify({ name: sealer === "ed448" ? "Ed448" : "Ed25519" }, entry.key, raw.subarray(raw.length - trailer), concat(context(LABELS[sealer], name), body));
    if (!ok) fail("invalid");
    payload = body.subarray(17);
  } else if (sealer === "aes-gcm") {
    const salt = raw.subarray(17, 29), nonce = raw.subarray(29, 41);
    const sub = new Uint8Array(32);
    for (let i = 1; i <= 4; i++) {
      const block = concat(salt, Uint8Array.of(0, 0, 0, i));
      sub.set((await aesBlock(entry.key, block)).subarray(0, 8), (i - 1) * 8);
    }
    const gk = await subtle.importKey("raw", sub, "AES-GCM", false, ["decrypt"]);
    try {
      payload = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce, additionalData: concat(context(LABELS["aes-gcm"], name), header), tagLength: 128 }, gk, raw.subarray(41)));
    } catch {
      fail("invalid");
    }
  } else {
    payload = raw.subarray(17);
  }
  if (now >= exp + skew) fail("expired");
  if (iat > now + skew) fail("expired");
  if (sealer === "unsigned") {
    try { JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload)); } catch { fail("invalid"); }
  }
  return { payload, iat, exp, rotated: entry ? entry.index !== 0 : false };
}

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

async function main() {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..");
  let passed = 0, failed = 0, skipped = 0;
  let ed448 = true;
  try { await subtle.importKey("raw", new Uint8Array(57).fill(1), { name: "Ed448" }, false, ["verify"]); } catch { ed448 = false; }
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const f = JSON.parse(readFileSync(join(dir, file), "utf8"));
    if (f.sealer === "ed448" && !ed448) { skipped += f.good.length + f.bad.length + (f.bad_public_keys || []).length; continue; }
    for (const k of f.bad_public_keys || []) {
      let got = "loaded";
      try { await loadRing(f.sealer, k.open_keys); } catch (e) { got = e instanceof BadPoint ? "refused" : "exception: " + e.message; }
      if (got === "refused") passed++;
      else { failed++; console.log(`FAIL ${f.sealer}/bad-public-key/${k.id}: ${got}`); }
    }
    for (const g of f.good) {
      try {
        const ring = await loadRing(f.sealer, g.open_keys);
        const o = await open(f.sealer, ring, g.name, g.value, g.open_at, g.skew, 16384);
        if (hex(o.payload) !== g.payload_hex || o.iat !== g.iat || o.exp !== g.exp || o.rotated !== g.rotated) throw new Error("wrong result " + JSON.stringify({ ...o, payload: hex(o.payload) }));
        passed++;
      } catch (e) {
        failed++;
        console.log(`FAIL ${f.sealer}/good/${g.id}: ${e.kind || e.message}`);
      }
    }
    for (const b of f.bad) {
      let got = "opened";
      try {
        const ring = await loadRing(f.sealer, b.open_keys);
        await open(f.sealer, ring, b.name, b.value, b.open_at, b.skew, b.max_value_len || 16384);
      } catch (e) {
        got = e.kind || "exception: " + e.message;
      }
      if (got === b.error) passed++;
      else { failed++; console.log(`FAIL ${f.sealer}/bad/${b.id}: got ${got}, want ${b.error}`); }
    }
  }
  console.log(`jsreader: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed === 0 ? 0 : 1);
}
main();
