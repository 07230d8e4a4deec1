/**
 * SPAKE2+ ciphersuites (RFC 9383 §4) over the NIST curves, with the RFC 9382 M and N points.
 * Each suite fixes the group, Hash, KDF and MAC; the byte lengths below follow from them.
 */
import { p256, p384 } from '@noble/curves/nist.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { ErrorCode, SecGearError } from '../common/errors.js';

export type SuiteName =
  | 'SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256'
  | 'SPAKE2+-P384-SHA256-HKDF-SHA256-HMAC-SHA256';

export type Point = WeierstrassPoint<bigint>;

export interface Suite {
  readonly name: SuiteName;
  /** One-byte identifier used in our message and record encodings (docs/formats/pake-messages.md). */
  readonly id: number;
  /** The group G: points of the curve (cofactor h = 1 for both NIST curves). */
  readonly Point: WeierstrassPointCons<bigint>;
  /** p, the prime order of the group (called n by the curve standards). */
  readonly order: bigint;
  readonly cofactor: bigint;
  /** Bytes of a scalar (w0, w1, x, y) in big-endian encodings. */
  readonly scalarLength: number;
  /** Bytes of an uncompressed SEC1 point (0x04 || X || Y), the encoding used on the wire and in TT. */
  readonly pointLength: number;
  /** Bytes of each of w0s and w1s: ceil(log2(p)/8) + 8, i.e. k = 64 bits of bias margin (RFC 9383 §3.2). */
  readonly wsLength: number;
  /** node:crypto digest name used for Hash, HKDF and HMAC. */
  readonly hash: 'sha256';
  /** Bytes of Hash output = K_main, each confirmation key, each MAC tag and K_shared. */
  readonly hashLength: number;
  readonly M: Point;
  readonly N: Point;
  /** OpenSSL's name of the curve: secret scalars multiply in node:crypto's ECDH (scalar-mul.ts). */
  readonly opensslCurve: string;
}

function defineSuite(
  name: SuiteName,
  id: number,
  curve: { Point: WeierstrassPointCons<bigint> },
  mHex: string,
  nHex: string,
  opensslCurve: string,
): Suite {
  const Point = curve.Point;
  // The group code (shares.ts, point-recovery.ts) omits RFC 9383's cofactor clearing h*P and
  // relies on p ≡ 3 (mod 4) for square roots: true for the NIST curves, checked here for any other.
  if (Point.CURVE().h !== 1n || Point.Fp.ORDER % 4n !== 3n) throw new Error(`${name}: needs cofactor 1 and p ≡ 3 (mod 4)`);
  const scalarLength = Point.Fn.BYTES;
  const M = Point.fromHex(mHex);
  const N = Point.fromHex(nHex);
  M.assertValidity();
  N.assertValidity();
  return Object.freeze({
    name,
    id,
    Point,
    order: Point.Fn.ORDER,
    cofactor: Point.CURVE().h,
    scalarLength,
    pointLength: 1 + 2 * Point.Fp.BYTES,
    wsLength: scalarLength + 8,
    hash: 'sha256' as const,
    hashLength: 32,
    M,
    N,
    opensslCurve,
  });
}

/** SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256, the suite RFC 9383 requires and our default. */
export const P256_SHA256: Suite = defineSuite(
  'SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256',
  0x01,
  p256,
  // RFC 9382 §6, seeds "1.2.840.10045.3.1.7 point generation seed (M)" / "(N)"
  '02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f',
  '03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49',
  'prime256v1',
);

/** SPAKE2+-P384-SHA256-HKDF-SHA256-HMAC-SHA256. */
export const P384_SHA256: Suite = defineSuite(
  'SPAKE2+-P384-SHA256-HKDF-SHA256-HMAC-SHA256',
  0x02,
  p384,
  // RFC 9382 §6, seeds "1.3.132.0.34 point generation seed (M)" / "(N)"
  '030ff0895ae5ebf6187080a82d82b42e2765e3b2f8749c7e05eba366434b363d3dc36f15314739074d2eb8613fceec2853',
  '02c72cf2e390853a1c1c4ad816a62fd15824f56078918f43f922ca21518f9c543bb252c5490214cf9aa3f0baab4b665c10',
  'secp384r1',
);

export const SUITES: readonly Suite[] = Object.freeze([P256_SHA256, P384_SHA256]);

/** The suite for a name, a suite object or a one-byte id; P-256 when omitted. */
export function resolveSuite(suite?: Suite | SuiteName | number): Suite {
  if (suite === undefined) return P256_SHA256;
  if (typeof suite === 'object' && SUITES.includes(suite)) return suite;
  const found = SUITES.find((s) => s.name === suite || s.id === suite);
  if (!found) {
    const known = SUITES.map((s) => s.name).join(', ');
    throw new SecGearError(ErrorCode.NOT_SUPPORTED, `unknown SPAKE2+ ciphersuite ${describe(suite)}; use one of ${known}`);
  }
  return found;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `id 0x${value.toString(16).padStart(2, '0')}`;
  if (typeof value === 'string') return `"${value.slice(0, 80)}"`;
  return typeof value;
}
