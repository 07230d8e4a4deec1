/**
 * Whole points from x-coordinates. OpenSSL's ECDH returns only x(k*T); the protocol needs
 * w0*M, w0*N and the verifier's Z, V as points (the prover's are settled otherwise:
 * prover-schedule.ts). Two points come as a pair, from three derivations:
 * with K known in full and x3 = x(Q1 + Q2 + K), y1 = ±sqrt(f(x1)), y2 = ±sqrt(f(x2)), and exactly
 * one of the four sign choices satisfies x(Q1 + Q2 + K) = x3. A square root is a field power
 * (field-power.ts), much cheaper than a derivation; the older method (y from x(Q) and x(Q + k*G)
 * by the addition law, linear in y) needs two derivations per point.
 * The test of a sign choice needs no inversion: with d = x2 - x1, D = d^2, E = d^3 and
 * A = Q1 + Q2 = (XA/D, YA/E),
 *   x(A + K) = x3  <=>  ((x3 + xK)D + XA)(xK D - XA)^2 = (yK E - YA)^2,
 * and (-Q1, -Q2) gives the same XA with -YA. All four choices are evaluated and the result is
 * assembled arithmetically from the outcome; only "not exactly one choice fits" (a degenerate
 * pair: Q1 = ±Q2, A = ±K, A + K = O, ...) branches, and then the caller takes its slow path.
 */
import { fieldPower } from './field-power.js';
import type { Point, Suite } from './suites.js';

export interface XCoordinates {
  x1: bigint;
  x2: bigint;
  /** x(Q1 + Q2 + K). */
  x3: bigint;
}

/** [Q1, Q2] as affine points from three x-coordinates and K (affine), or undefined if degenerate. */
export function recoverPair(suite: Suite, { x1, x2, x3 }: XCoordinates, K: Point): [Point, Point] | undefined {
  const Fp = suite.Point.Fp;
  const y1 = rootOfRhs(suite, x1);
  const y2 = rootOfRhs(suite, x2);
  const { X: xK, Y: yK } = affine(suite, K);
  const d = Fp.sub(x2, x1);
  const D = Fp.sqr(d);
  const E = Fp.mul(D, d);
  const x1D = Fp.mul(x1, D);
  const sumD = Fp.mul(Fp.add(x1, x2), D);
  const x3xKD = Fp.mul(Fp.add(x3, xK), D);
  const xKD = Fp.mul(xK, D);
  const yKE = Fp.mul(yK, E);
  const y1E = Fp.mul(y1, E);
  const zero = (v: bigint) => Number(Fp.is0(v));
  const nonzero = (v: bigint) => 1 - zero(v);

  // t = 1: Q1 = (x1, y1); t = 0: Q1 = (x1, -y1); Q2 = (x2, y2) in both. s = 1 keeps A, s = 0 negates it.
  const fits: number[] = [];
  for (const t of [1, 0]) {
    const n = t ? Fp.sub(y2, y1) : Fp.add(y2, y1);
    const XA = Fp.sub(Fp.sqr(n), sumD);
    const nx = Fp.mul(n, Fp.sub(x1D, XA));
    const YA = t ? Fp.sub(nx, y1E) : Fp.add(nx, y1E);
    const gap = Fp.sub(xKD, XA);
    const lhs = Fp.mul(Fp.add(x3xKD, XA), Fp.sqr(gap));
    const valid = nonzero(gap) & nonzero(d);
    // "difference is zero", not ===: BigInt equality stops at the first differing digit
    fits.push(valid & zero(Fp.sub(lhs, Fp.sqr(Fp.sub(yKE, YA))))); // s = 1
    fits.push(valid & zero(Fp.sub(lhs, Fp.sqr(Fp.add(yKE, YA))))); // s = 0
  }
  if (fits[0] + fits[1] + fits[2] + fits[3] !== 1) return undefined;
  // y1 keeps its sign for (t=1, s=1) and (t=0, s=0); y2 keeps its sign when s = 1
  const keep1 = BigInt(fits[0] | fits[3]);
  const keep2 = BigInt(fits[0] | fits[2]);
  const signed = (keep: bigint, y: bigint) => Fp.add(Fp.mul(keep, y), Fp.mul(1n - keep, Fp.neg(y)));
  return [suite.Point.fromAffine({ x: x1, y: signed(keep1, y1) }), suite.Point.fromAffine({ x: x2, y: signed(keep2, y2) })];
}

/** One of the two y with (x, y) on the curve, for x an x-coordinate OpenSSL produced. */
export function rootOfRhs(suite: Suite, x: bigint): bigint {
  const Fp = suite.Point.Fp;
  const f = curveRhs(suite, x);
  const y = fieldPower(Fp.ORDER).sqrt(f);
  // x comes from OpenSSL as the x-coordinate of a curve point, so f(x) is a square: a failure
  // here is a fault, not an input the protocol can meet
  if (!Fp.eql(Fp.sqr(y), f)) throw new Error('ECDH output is not an x-coordinate on the curve');
  return y;
}

function curveRhs(suite: Suite, x: bigint): bigint {
  const Fp = suite.Point.Fp;
  const { a, b } = suite.Point.CURVE();
  return Fp.add(Fp.mul(Fp.add(Fp.sqr(x), a), x), b);
}

function affine(suite: Suite, P: Point): Point {
  // every point given here comes from OpenSSL or normalize(): Z = 1, no inversion needed
  if (!suite.Point.Fp.eql(P.Z, suite.Point.Fp.ONE)) throw new Error('point-recovery needs affine points');
  return P;
}
