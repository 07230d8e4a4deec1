/**
 * Signatures over input the caller already hashed, which node:crypto does not offer:
 * - raw ECDSA (CKM_ECDSA): R = k·G comes from OpenSSL (the ECDH "public key" of k, a
 *   constant-time scalar multiplication); s = k⁻¹(z + r·d) mod n is computed with BigInt,
 *   blinded by a random b (s = (k·b)⁻¹ · (b·z + b·d·r)) so the variable-time inversion and
 *   products do not see k or d;
 * - EMSA-PSS (RFC 8017 §9.1) for CKM_RSA_PKCS_PSS, around a raw RSA private operation.
 */
import { createECDH, createHash, privateEncrypt, publicEncrypt, randomBytes, constants, type KeyObject } from 'node:crypto';
import type { Curve } from './curves.js';

const toBig = (b: Uint8Array) => (b.byteLength === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex')));
function toBytes(v: bigint, size: number): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(size * 2, '0'), 'hex'));
}

function invert(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

function randomScalar(n: bigint, size: number): bigint {
  for (;;) {
    const v = toBig(randomBytes(size)) & ((1n << BigInt(n.toString(2).length)) - 1n);
    if (v > 0n && v < n) return v;
  }
}

/** z: the leftmost bits of the hash, as long as the order (FIPS 186-4 §6.4). */
function hashToInt(hash: Uint8Array, n: bigint): bigint {
  const bits = n.toString(2).length;
  let z = toBig(hash);
  const excess = hash.byteLength * 8 - bits;
  if (excess > 0) z >>= BigInt(excess);
  return z;
}

const ecdhCache = new Map<string, ReturnType<typeof createECDH>>();

/** Raw ECDSA over `hash` with private scalar `d`: r || s, each `curve.size` bytes. */
export function ecdsaSignRaw(curve: Curve, d: Uint8Array, hash: Uint8Array): Uint8Array {
  const n = curve.order!;
  let ecdh = ecdhCache.get(curve.ecdh!);
  if (!ecdh) ecdhCache.set(curve.ecdh!, (ecdh = createECDH(curve.ecdh!)));
  const z = hashToInt(hash, n) % n;
  const dn = toBig(d);
  for (;;) {
    const k = randomScalar(n, curve.size);
    ecdh.setPrivateKey(toBytes(k, curve.size));
    const R = ecdh.getPublicKey();
    const r = toBig(R.subarray(1, 1 + curve.size)) % n;
    if (r === 0n) continue;
    const b = randomScalar(n, curve.size);
    const kbInv = invert((k * b) % n, n);
    const s = (kbInv * ((b * z + ((b * dn) % n) * r) % n)) % n;
    if (s === 0n) continue;
    const out = new Uint8Array(2 * curve.size);
    out.set(toBytes(r, curve.size));
    out.set(toBytes(s, curve.size), curve.size);
    return out;
  }
}

const HASH_SIZES: Record<string, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

function mgf1(hash: string, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (let counter = 0; at < length; counter++) {
    const c = new Uint8Array([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff]);
    const block = createHash(hash).update(seed).update(c).digest();
    out.set(block.subarray(0, Math.min(block.byteLength, length - at)), at);
    at += block.byteLength;
  }
  return out;
}

/** EMSA-PSS-ENCODE then the raw RSA private operation. */
export function rsaPssSignRaw(key: KeyObject, modulusBits: number, hash: string, mgfHash: string, saltLength: number, mHash: Uint8Array): Uint8Array {
  const hLen = HASH_SIZES[hash];
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (mHash.byteLength !== hLen || emLen < hLen + saltLength + 2) throw new RangeError('input or salt does not fit this modulus');
  const salt = randomBytes(saltLength);
  const H = createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest();
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - saltLength - hLen - 2] = 0x01;
  db.set(salt, emLen - saltLength - hLen - 1);
  const mask = mgf1(mgfHash, H, db.byteLength);
  for (let i = 0; i < db.byteLength; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const em = new Uint8Array(Math.ceil(modulusBits / 8));
  const offset = em.byteLength - emLen;
  em.set(db, offset);
  em.set(H, offset + db.byteLength);
  em[em.byteLength - 1] = 0xbc;
  return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
}

/** The raw RSA public operation then EMSA-PSS-VERIFY. */
export function rsaPssVerifyRaw(key: KeyObject, modulusBits: number, hash: string, mgfHash: string, saltLength: number, mHash: Uint8Array, signature: Uint8Array): boolean {
  const hLen = HASH_SIZES[hash];
  const k = Math.ceil(modulusBits / 8);
  if (signature.byteLength !== k || mHash.byteLength !== hLen) return false;
  let em: Uint8Array;
  try {
    em = new Uint8Array(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, signature));
  } catch {
    return false;
  }
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  em = em.subarray(em.byteLength - emLen);
  if (em[emLen - 1] !== 0xbc || emLen < hLen + saltLength + 2) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((db[0] & ~(0xff >> (8 * emLen - emBits))) !== 0) return false;
  const mask = mgf1(mgfHash, H, db.byteLength);
  for (let i = 0; i < db.byteLength; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const ps = emLen - hLen - saltLength - 2;
  for (let i = 0; i < ps; i++) if (db[i] !== 0) return false;
  if (db[ps] !== 0x01) return false;
  const salt = db.subarray(db.byteLength - saltLength);
  const H2 = createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest();
  return Buffer.compare(H2, H) === 0;
}
