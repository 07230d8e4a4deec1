/**
 * Byte-level helpers shared by registration, transcript and messages: RFC 9383 length
 * prefixes, scalar and point encodings, and input normalization.
 */
import { concatBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { Point, Suite } from './suites.js';

/** Text or bytes accepted for identities and context; text is encoded as UTF-8. */
export type BytesLike = Uint8Array | string;

const encoder = new TextEncoder();

/** `len(S) || S` with len as an 8-byte little-endian number (RFC 9383 §3). */
export function lengthPrefixed(...parts: Uint8Array[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(part.byteLength), true);
    pieces.push(len, part);
  }
  return concatBytes(...pieces);
}

/** Identities and context: strings as UTF-8 (no normalization: they are protocol identifiers). */
export function toBytes(value: BytesLike | undefined, what: string): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} must be a Uint8Array or a string, got ${typeof value}`);
}

/**
 * Passwords: strings are normalized to Unicode NFC before UTF-8 encoding (the normalization
 * step of the RFC 8265 OpaqueString profile), so the same typed password gives the same bytes.
 */
export function passwordBytes(password: BytesLike): Uint8Array {
  if (typeof password === 'string') return encoder.encode(password.normalize('NFC'));
  return toBytes(password, 'password');
}

/** Big-endian bytes to an integer, 64 bits at a time (no hex string on the way). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = bytes.byteLength % 8;
  let value = 0n;
  for (let i = 0; i < head; i++) value = (value << 8n) | BigInt(bytes[i]);
  for (let i = head; i < bytes.byteLength; i += 8) value = (value << 64n) | view.getBigUint64(i);
  return value;
}

export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new SecGearError(ErrorCode.GENERIC, `integer does not fit in ${length} bytes`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * A scalar in [1, p-1] from its fixed-length big-endian encoding. Zero is refused: a zero w0 or w1
 * would take the password out of the protocol.
 */
export function decodeScalar(suite: Suite, bytes: Uint8Array, what: string): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== suite.scalarLength) {
    throw new SecGearError(
      ErrorCode.BAD_PARAMETERS,
      `${what} must be ${suite.scalarLength} bytes for ${suite.name}, got ${bytes instanceof Uint8Array ? bytes.byteLength : typeof bytes}`,
    );
  }
  const value = bytesToBigInt(bytes);
  if (value === 0n || value >= suite.order) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} is not a scalar in [1, p-1] for ${suite.name}`);
  }
  return value;
}

export function encodeScalar(suite: Suite, value: bigint): Uint8Array {
  return bigIntToBytes(value, suite.scalarLength);
}

/**
 * The uncompressed SEC1 encoding 0x04 || X || Y. Points with Z = 1 (every point this package
 * computes is converted so, in constant time: affine.ts) are written directly; others go through
 * noble, which inverts Z with a variable-time Euclid: fine only for public points.
 */
export function encodePoint(point: Point): Uint8Array {
  if (point.Z !== 1n) return point.toBytes(false);
  const n = (point.constructor as { Fp?: { BYTES: number } }).Fp!.BYTES;
  const out = Buffer.alloc(1 + 2 * n);
  out[0] = 0x04;
  out.write(point.X.toString(16).padStart(2 * n, '0'), 1, 'hex');
  out.write(point.Y.toString(16).padStart(2 * n, '0'), 1 + n, 'hex');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * A group element received from a peer or storage: exactly the uncompressed SEC1 encoding,
 * coordinates below p (so the encoding is canonical), on the curve, not the identity (which has
 * no uncompressed encoding), and in the prime-order subgroup (h*P != I; h = 1 for the NIST curves).
 */
export function decodePoint(suite: Suite, bytes: Uint8Array, what: string): Point {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== suite.pointLength || bytes[0] !== 0x04) {
    throw new SecGearError(
      ErrorCode.INVALID_POINT,
      `${what} must be an uncompressed ${suite.pointLength}-byte point (0x04 || X || Y) for ${suite.name}`,
    );
  }
  const Fp = suite.Point.Fp;
  const n = Fp.BYTES;
  const x = bytesToBigInt(bytes.subarray(1, 1 + n));
  const y = bytesToBigInt(bytes.subarray(1 + n));
  const { a, b } = suite.Point.CURVE();
  if (x >= Fp.ORDER || y >= Fp.ORDER || !Fp.eql(Fp.sqr(y), Fp.add(Fp.mul(Fp.add(Fp.sqr(x), a), x), b))) {
    throw new SecGearError(ErrorCode.INVALID_POINT, `${what} is not a point on the curve of ${suite.name}`);
  }
  const point = suite.Point.fromAffine({ x, y });
  if (point.is0() || (suite.cofactor !== 1n && point.multiplyUnsafe(suite.cofactor).is0())) {
    throw new SecGearError(ErrorCode.INVALID_POINT, `${what} is the identity or of small order; refusing it`);
  }
  return point;
}
