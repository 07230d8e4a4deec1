/**
 * Secret-scalar multiplication. A secret scalar k is held once per handshake as a
 * `SecretScalar` and multiplies by G and by any validated point T.
 *
 * For suites with `opensslCurve` (P-256) the work goes to OpenSSL (node:crypto ECDH, constant
 * time): its fixed-base table gives R = k*G (the ECDH public key, a full point) at a fraction of
 * a variable-base multiply, and computeSecret gives x-coordinates of k*T. ECDH returns only x,
 * and the transcript needs whole points; with xQ = x(k*T) and xS = x(k*(T+G)) = x(Q+R), the
 * short-Weierstrass addition law gives y(Q) by linear algebra, without a square root or a
 * branch on secret data:
 *   (yQ - yR)^2 = (xS + xQ + xR) * (xQ - xR)^2 =: S   and   yQ^2 = f(xQ), yR^2 = f(xR)
 *   =>  yQ = (f(xQ) + yR^2 - S) / (2*yR)
 * So k*T costs two ECDH derivations (and k*G, shared by every T, one public-key computation).
 * The fixed points M and N of the suite keep their encodings and those of M+G, N+G ready.
 * The result is checked to lie on the curve. The degenerate case T = ±G (then Q = ±R) falls
 * back to noble's constant-time multiply; a peer reaches it only knowing the discrete log of
 * its share.
 *
 * P-384 in OpenSSL's generic code is not faster than noble, so it stays with noble, whose
 * window tables for M and N (suites.ts) make those two fixed-base multiplies cheaper.
 *
 * Multi-scalar multiplication (noble's `msm`, Pippenger) is not used: it is variable-time and
 * every scalar here is secret.
 */
import { createECDH, type ECDH } from 'node:crypto';
import { normalizeZ } from '@noble/curves/abstract/curve.js';
import { bigIntToBytes, bytesToBigInt } from './encoding.js';
import type { Point, Suite } from './suites.js';

/** Encodings of a fixed point T and of T+G, for the suite constants M and N. */
const fixedEncodings = new WeakMap<Point, { T: Buffer; plusG: Buffer }>();

function encodingsOf(suite: Suite, T: Point): { T: Buffer; plusG: Buffer } {
  const cached = fixedEncodings.get(T);
  if (cached) return cached;
  const plus = T.add(suite.Point.BASE);
  // the two affine conversions share one inversion
  const [a, b] = normalizeZ(suite.Point, [T, plus]);
  const out = { T: Buffer.from(a.toBytes(false)), plusG: Buffer.from(b.toBytes(false)) };
  if (T === suite.M || T === suite.N) fixedEncodings.set(T, out);
  return out;
}

/** One secret scalar k in [1, p-1], for k*G and k*T. */
export class SecretScalar {
  readonly #suite: Suite;
  readonly k: bigint;
  #ecdh: ECDH | undefined;
  #base: Point | undefined;

  constructor(suite: Suite, k: bigint) {
    this.#suite = suite;
    this.k = k;
  }

  #openssl(): ECDH {
    if (!this.#ecdh) {
      this.#ecdh = createECDH(this.#suite.opensslCurve!);
      this.#ecdh.setPrivateKey(Buffer.from(bigIntToBytes(this.k, this.#suite.scalarLength)));
    }
    return this.#ecdh;
  }

  /** k*G. */
  base(): Point {
    if (!this.#base) {
      const suite = this.#suite;
      this.#base = suite.opensslCurve ? suite.Point.fromBytes(this.#openssl().getPublicKey()) : suite.Point.BASE.multiply(this.k);
    }
    return this.#base;
  }

  /** k*T for a validated point T (not the identity). */
  times(T: Point): Point {
    const suite = this.#suite;
    if (!suite.opensslCurve) return T.multiply(this.k);
    const G = suite.Point.BASE;
    if (T.equals(G) || T.equals(G.negate())) return T.multiply(this.k);
    const Fp = suite.Point.Fp;
    const { a, b } = suite.Point.CURVE();
    const ecdh = this.#openssl();
    const R = this.base().toAffine();
    const encoded = encodingsOf(suite, T);
    const xQ = bytesToBigInt(ecdh.computeSecret(encoded.T));
    const xS = bytesToBigInt(ecdh.computeSecret(encoded.plusG));
    const dx = Fp.sub(xQ, R.x);
    if (Fp.is0(dx)) return T.multiply(this.k);
    const f = (x: bigint) => Fp.add(Fp.add(Fp.mul(Fp.sqr(x), x), Fp.mul(a, x)), b);
    const S = Fp.mul(Fp.add(Fp.add(xS, xQ), R.x), Fp.sqr(dx));
    const yQ = Fp.div(Fp.sub(Fp.add(f(xQ), Fp.sqr(R.y)), S), Fp.add(R.y, R.y));
    const Q = suite.Point.fromAffine({ x: xQ, y: yQ });
    Q.assertValidity();
    return Q;
  }

  /** Drops the OpenSSL key; bigints cannot be overwritten, so dropping references is all. */
  forget(): void {
    this.#ecdh = undefined;
    this.#base = undefined;
  }
}

/** k*G for a secret k in [1, p-1]. */
export function multiplyBase(suite: Suite, k: bigint): Point {
  return new SecretScalar(suite, k).base();
}

/** k*T for a secret k in [1, p-1] and a validated point T (not the identity). */
export function multiply(suite: Suite, T: Point, k: bigint): Point {
  return new SecretScalar(suite, k).times(T);
}
