/**
 * A whole point from x-coordinates. OpenSSL's ECDH returns only x(k*T); the protocol needs
 * Z and V (and w0*M, w0*N) as points. With R = k*G known in full (the ECDH key's public point),
 *   xQ = x(k*T) = x(Q)   and   xS = x(k*(T + G)) = x(Q + R),
 * the short-Weierstrass addition law gives y(Q) by linear algebra, with no square root and no
 * branch on secret data:
 *   (yQ - yR)^2 = (xS + xQ + xR)(xQ - xR)^2 =: S,   yQ^2 = f(xQ),  yR^2 = f(xR)
 *   =>  yQ = (f(xQ) + yR^2 - S) / (2 yR).
 * The caller supplies 1/(2 yR), so that it shares an inversion with other values (affine.ts).
 * It fails only if xQ = xR, i.e. T = ±G (then also T + G may be the identity): a public
 * condition on T the callers check first.
 */
import type { Point, Suite } from './suites.js';

/** Q from x(Q), x(Q + R), R (affine) and 1/(2 y(R)). */
export function pointFromX(suite: Suite, xQ: bigint, xS: bigint, R: Point, invTwoYR: bigint): Point {
  const Fp = suite.Point.Fp;
  const { a, b } = suite.Point.CURVE();
  const { X: xR, Y: yR } = R; // affine: Z = 1
  const f = Fp.add(Fp.mul(Fp.add(Fp.sqr(xQ), a), xQ), b);
  const S = Fp.mul(Fp.add(Fp.add(xS, xQ), xR), Fp.sqr(Fp.sub(xQ, xR)));
  const yQ = Fp.mul(Fp.sub(Fp.add(f, Fp.sqr(yR)), S), invTwoYR);
  // a wrong input (a fault, or R not affine) would land off the curve; never pass that on
  if (!Fp.eql(Fp.sqr(yQ), f)) throw new Error('recovered point is not on the curve');
  return suite.Point.fromAffine({ x: xQ, y: yQ });
}

/** 2 y(R) for an affine R: the denominator pointFromX needs inverted. */
export function twoY(suite: Suite, R: Point): bigint {
  return suite.Point.Fp.add(R.Y, R.Y);
}
