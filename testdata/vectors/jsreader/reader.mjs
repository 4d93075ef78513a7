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
// Ring key text: either alphabet, padded or not.
function keyDecode(s) {
  s = s.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return b64urlDecode(s);
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
async function loadRing(sealer, text) {
  text = text.trim();
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^=,\s].*)$/s.exec(text);
  if (m) text = m[2];
  const ring = new Map();
  const fields = text.split(/[,\s]+/).filter(Boolean);
  for (const [i, f] of fields.entries()) {
    if (sealer === "hmac" || sealer === "aes-gcm") {
      const key = keyDecode(f);
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
      const id = await publicID(sealer, pub);
      const alg = sealer === "ed448" ? { name: "Ed448" } : { name: "Ed25519" };
      ring.set(id, { index: i, key: await subtle.importKey("raw", pub, alg, false, ["verify"]) });
    }
  }
  return ring;
}

// open follows FORMAT.md's "Opening" steps in order.
async function open(sealer, ring, name, value, now, skew, maxLen) {
  if (value.length > maxLen) fail("too_large");
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
    if (f.sealer === "ed448" && !ed448) { skipped += f.good.length + f.bad.length; continue; }
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
