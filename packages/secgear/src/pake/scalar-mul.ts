/**
 * Secret-scalar multiplication. For suites with `opensslCurve` (P-256) k*T goes through OpenSSL
 * (node:crypto ECDH), about 5x faster than noble's generic constant-time multiply; P-384 in
 * OpenSSL's generic code is not faster than noble, so it stays with noble.
 *
 * ECDH returns only the x-coordinate of k*T, and the transcript needs the whole point. With
 * R = k*G (the ECDH public key, a full point) and the x-coordinates of Q = k*T, Q+R = k*(T+G) and
 * Q-R = k*(T-G), the short-Weierstrass addition law gives y(Q) without a square root or a branch
 * on secret data:
 *   x(Q+R) - x(Q-R) = -4*y(Q)*y(R) / (x(Q) - x(R))^2
 *   =>  y(Q) = -(x(Q+R) - x(Q-R)) * (x(Q) - x(R))^2 / (4*y(R))
 * The result is checked to lie on the curve. The degenerate cases (T = ±G, Q = ±R) fall back to
 * noble's constant-time multiply; they need the peer to know the discrete log of its share.
 */
import { createECDH, type ECDH } from 'node:crypto';
import { bigIntToBytes, bytesToBigInt } from './encoding.js';
import type { Point, Suite } from './suites.js';

function ecdhFor(suite: Suite, curve: string, k: bigint): ECDH {
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(Buffer.from(bigIntToBytes(k, suite.scalarLength)));
  return ecdh;
}

/** k*G for a secret k in [1, p-1]. */
export function multiplyBase(suite: Suite, k: bigint): Point {
  if (!suite.opensslCurve) return suite.Point.BASE.multiply(k);
  return suite.Point.fromBytes(ecdhFor(suite, suite.opensslCurve, k).getPublicKey());
}

/** k*T for a secret k in [1, p-1] and a validated point T (not the identity). */
export function multiply(suite: Suite, T: Point, k: bigint): Point {
  if (!suite.opensslCurve) return T.multiply(k);
  const Fp = suite.Point.Fp;
  const G = suite.Point.BASE;
  const plus = T.add(G);
  const minus = T.subtract(G);
  if (plus.is0() || minus.is0()) return T.multiply(k);
  const ecdh = ecdhFor(suite, suite.opensslCurve, k);
  const R = suite.Point.fromBytes(ecdh.getPublicKey());
  const x = (point: Point) => bytesToBigInt(ecdh.computeSecret(point.toBytes(false)));
  const xQ = x(T);
  const xSum = x(plus);
  const xDiff = x(minus);
  const dx = Fp.sub(xQ, R.x);
  if (Fp.is0(dx)) return T.multiply(k);
  const yQ = Fp.neg(Fp.div(Fp.mul(Fp.sub(xSum, xDiff), Fp.sqr(dx)), Fp.mul(Fp.create(4n), R.y)));
  const Q = suite.Point.fromAffine({ x: xQ, y: yQ });
  Q.assertValidity();
  return Q;
}
