/**
 * SM2 (GB/T 32918 / GM/T 0003) digital signatures, on @noble/curves' short Weierstrass
 * arithmetic with the SM2 curve parameters.
 *
 * Why not node:crypto: OpenSSL 3 in Node 20 makes SM2 keys (named curve "SM2"), and SM3 is a
 * Node hash, but `crypto.sign` treats an SM2 key as a plain EC key: it signs ECDSA-with-SM3,
 * without the Z value and with ECDSA's equations, which no SM2 verifier accepts (and Node has
 * no option for the distinguishing ID). Key generation and SM3 stay with node:crypto.
 *
 * Side channels: scalar multiplications with secret scalars (the nonce k, the private key d)
 * use noble's constant-time `multiply`; only public scalars (verification) use the faster
 * variable-time paths. The scalar arithmetic mod n is JavaScript BigInt, which is not
 * constant-time; the inversion of (1 + d), the one step that involves the key, is blinded by
 * a fresh random factor so its timing does not follow d. BigInts cannot be zeroized.
 */
import { createHash } from 'node:crypto';
import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { random } from 'secgear/enclave';
import { bigintToBytes, bytesToBigint, derSequence, derUnsigned, readSequence, readUnsigned } from './der.js';

export interface CurveParams {
  p: bigint;
  a: bigint;
  b: bigint;
  Gx: bigint;
  Gy: bigint;
  n: bigint;
}

/** The recommended curve of GB/T 32918.5 (OID 1.2.156.10197.1.301). */
export const SM2_PARAMS: CurveParams = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
};

/** The distinguishing ID of GM/T 0009 that AWS KMS uses for SM2DSA. */
export const DEFAULT_DISTID = new TextEncoder().encode('1234567812345678');

export type Sm2Point = WeierstrassPoint<bigint>;

export interface Sm2Group {
  params: CurveParams;
  Point: WeierstrassPointCons<bigint>;
  /** Bytes of a field element or scalar. */
  size: number;
}

/** A group on any SM2-style curve (the standard's examples also use a test curve). */
export function sm2Group(params: CurveParams): Sm2Group {
  const Point = weierstrass({ ...params, h: 1n });
  return { params, Point, size: Math.ceil(params.p.toString(16).length / 2) };
}

export const SM2: Sm2Group = sm2Group(SM2_PARAMS);

export const sm3 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

const mod = (a: bigint, n: bigint) => ((a % n) + n) % n;

function invert(a: bigint, n: bigint): bigint {
  // n is prime: a^(n-2); only ever called on blinded values
  let result = 1n;
  let base = mod(a, n);
  for (let e = n - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % n;
    base = (base * base) % n;
  }
  return result;
}

/** A uniformly random scalar in [1, n - 1], by rejection (from the enclave's RNG). */
export function randomScalar(group: Sm2Group): bigint {
  for (;;) {
    const k = bytesToBigint(random(group.size));
    if (k >= 1n && k < group.params.n) return k;
  }
}

/** Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA) of GB/T 32918.2, 5.5. */
export function zValue(group: Sm2Group, publicKey: Sm2Point, id: Uint8Array = DEFAULT_DISTID): Uint8Array {
  if (id.length > 8191) throw new RangeError('the SM2 distinguishing ID must be at most 8191 bytes');
  const bits = id.length * 8;
  const field = (v: bigint) => bigintToBytes(v, group.size);
  const { a, b, Gx, Gy } = group.params;
  const affine = publicKey.toAffine();
  return sm3(Uint8Array.of(bits >> 8, bits & 0xff), id, field(a), field(b), field(Gx), field(Gy), field(affine.x), field(affine.y));
}

/** e = SM3(Z_A || M): what SM2DSA signs for a RAW message. */
export function messageDigest(group: Sm2Group, publicKey: Sm2Point, message: Uint8Array, id: Uint8Array = DEFAULT_DISTID): Uint8Array {
  return sm3(zValue(group, publicKey, id), message);
}

export interface Sm2Signature {
  r: bigint;
  s: bigint;
}

/**
 * Signs the digest e (GB/T 32918.2, 6.1, steps A3–A7). `nonce` exists for the standard's
 * known-answer tests only; production callers leave it out and get a fresh random k.
 */
export function signDigest(group: Sm2Group, d: bigint, digest: Uint8Array, nonce?: bigint): Sm2Signature {
  const { n } = group.params;
  if (d < 1n || d > n - 2n) throw new RangeError('SM2 private key out of range');
  const e = bytesToBigint(digest);
  // (1 + d)^-1, blinded: b * ((1 + d) * b)^-1
  const blind = randomScalar(group);
  const inverse = mod(invert(mod((1n + d) * blind, n), n) * blind, n);
  for (;;) {
    const k = nonce ?? randomScalar(group);
    const x1 = group.Point.BASE.multiply(k).toAffine().x;
    const r = mod(e + x1, n);
    if (r === 0n || r + k === n) {
      if (nonce !== undefined) throw new RangeError('the given nonce gives an invalid signature');
      continue;
    }
    const s = mod(inverse * mod(k - r * d, n), n);
    if (s === 0n) {
      if (nonce !== undefined) throw new RangeError('the given nonce gives an invalid signature');
      continue;
    }
    return { r, s };
  }
}

const HOT_AFTER_USES = 3;
const MAX_TABLES = 32;
const MAX_COUNTED = 1024;
const useCounts = new Map<string, number>();
const tables = new Map<string, Sm2Point>();

/**
 * `point`, or an equal point with window tables when it is a busy public key. Tables make t·P
 * (verification) and k·P (encryption) several times faster but cost about 300 KB and ~5
 * verifications' time to build, so only the MAX_TABLES most recently used keys that were used
 * HOT_AFTER_USES times get them: memory stays bounded (~10 MB) however many keys a tenant makes.
 */
export function withTables(group: Sm2Group, point: Sm2Point): Sm2Point {
  if (group !== SM2) return point;
  const id = point.toHex(true);
  const hit = tables.get(id);
  if (hit) {
    tables.delete(id);
    tables.set(id, hit);
    return hit;
  }
  const uses = (useCounts.get(id) ?? 0) + 1;
  if (uses < HOT_AFTER_USES) {
    if (useCounts.size >= MAX_COUNTED) useCounts.clear();
    useCounts.set(id, uses);
    return point;
  }
  useCounts.delete(id);
  const table = group.Point.fromAffine(point.toAffine()).precompute(6, false);
  if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
  tables.set(id, table);
  return table;
}

/** Verifies (r, s) over the digest e (GB/T 32918.2, 7.1, steps B1–B7). Public inputs only. */
export function verifyDigest(group: Sm2Group, publicKey: Sm2Point, digest: Uint8Array, signature: Sm2Signature): boolean {
  const { n } = group.params;
  const { r, s } = signature;
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  const t = mod(r + s, n);
  if (t === 0n) return false;
  // public scalars: variable time is fine; with window tables for G and (when busy) for P, two
  // multiplications beat one joint mulAddUnsafe, which does not use them
  const point = group.Point.BASE.multiplyUnsafe(s).add(withTables(group, publicKey).multiplyUnsafe(t));
  if (point.is0()) return false;
  return mod(bytesToBigint(digest) + point.toAffine().x, n) === r;
}

/** The signature as AWS returns SM2DSA signatures: DER SEQUENCE { INTEGER r, INTEGER s }. */
export const encodeSignature = (signature: Sm2Signature): Uint8Array => derSequence(derUnsigned(signature.r), derUnsigned(signature.s));

/** Parses a DER signature; undefined when it is not one (a failed verification, not a crash). */
export function decodeSignature(bytes: Uint8Array): Sm2Signature | undefined {
  try {
    const items = readSequence(bytes);
    if (items.length !== 2) return undefined;
    return { r: readUnsigned(items[0]), s: readUnsigned(items[1]) };
  } catch {
    return undefined;
  }
}

/** AlgorithmIdentifier contents: id-ecPublicKey (1.2.840.10045.2.1), curve SM2 (1.2.156.10197.1.301). */
const SM2_ALGORITHM_HEX = '06072a8648ce3d020106082a811ccf5501822d';

/** The public point of an SM2 SubjectPublicKeyInfo (ecPublicKey with the SM2 curve OID). */
export function publicPointFromSpki(spki: Uint8Array, group: Sm2Group = SM2): Sm2Point {
  const [algorithm, key] = readSequence(spki);
  if (!algorithm || !key || algorithm.tag !== 0x30 || key.tag !== 0x03) throw new RangeError('not a SubjectPublicKeyInfo');
  const algorithmHex = Buffer.from(algorithm.value).toString('hex');
  if (algorithmHex !== SM2_ALGORITHM_HEX) throw new RangeError('not an SM2 public key');
  if (key.value[0] !== 0) throw new RangeError('bad public key BIT STRING');
  const point = group.Point.fromBytes(key.value.subarray(1));
  point.assertValidity();
  return point;
}

/**
 * The private scalar of an SM2 PKCS#8 PrivateKeyInfo. Parsed here because Node cannot export
 * a parsed SM2 key: OpenSSL 3 decodes it as an EVP_PKEY_SM2, and Node 20's sec1/JWK export
 * of such a key fails a native assertion and aborts the process.
 */
export function privateScalarFromPkcs8(pkcs8: Uint8Array): bigint {
  const [version, algorithm, privateKey] = readSequence(pkcs8);
  if (!version || !algorithm || !privateKey || readUnsigned(version) !== 0n || privateKey.tag !== 0x04) throw new RangeError('not a PrivateKeyInfo');
  if (algorithm.tag !== 0x30 || Buffer.from(algorithm.value).toString('hex') !== SM2_ALGORITHM_HEX) throw new RangeError('not an SM2 private key');
  return privateScalarFromSec1(privateKey.value);
}

/** The private scalar of an SEC1 ECPrivateKey DER. */
export function privateScalarFromSec1(sec1: Uint8Array): bigint {
  const [version, secret] = readSequence(sec1);
  if (!version || !secret || readUnsigned(version) !== 1n || secret.tag !== 0x04) throw new RangeError('not an ECPrivateKey');
  return bytesToBigint(secret.value);
}

