/**
 * The group computations of RFC 9383 §3.3:
 *   shareP = x*P + w0*M                  shareV = y*P + w0*N
 *   prover:   Z = h*x*(Y - w0*N),  V = h*w1*(Y - w0*N)
 *   verifier: Z = h*y*(X - w0*M),  V = h*y*L
 * (h = 1 for both suites.) Every multiplication by a secret scalar runs in OpenSSL
 * (scalar-mul.ts); w0*M, w0*N and L's points come with the record (record-keys.ts). Each of Z
 * and V is recovered from two x-coordinates, x(k*T) and x(k*(T+G)), with k*G known
 * (point-recovery.ts): four ECDH derivations per side. All affine conversions of one side share
 * one blinded inversion (affine.ts), together with the 1/(2y) the recovery needs.
 *
 * The recovery needs T ≠ ±G (and L ≠ ±G): public conditions; the rare inputs that violate them
 * take noble's constant-time multiply, which tells an observer nothing it did not know.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import { normalize, opensslEncoding } from './affine.js';
import { pointFromX, twoY } from './point-recovery.js';
import type { LPoints, W0Keys, W1Keys } from './record-keys.js';
import type { SecretScalar } from './scalar-mul.js';
import type { Point, Suite } from './suites.js';

export interface SharedPoints {
  Z: Point;
  V: Point;
}

/** shareP = x*G + w0*M, affine. */
export function computeShareP(suite: Suite, x: SecretScalar, w0: W0Keys): Point {
  const shareP = x.base().add(w0.w0M);
  if (shareP.is0()) throw identityShare('shareP');
  return normalize(suite, [shareP]).points[0];
}

/** The prover's Z and V from the verifier's (already validated) share Y. */
export function proverPoints(suite: Suite, s: { x: SecretScalar; w0: W0Keys; w1: W1Keys; Y: Point }): SharedPoints {
  const T = s.Y.subtract(s.w0.w0N);
  if (T.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareV - w0*N is the identity; refusing it');
  if (nearG(suite, T)) {
    const { points } = normalize(suite, [s.x.times(T), s.w1.scalar.times(T)]);
    return { Z: points[0], V: points[1] };
  }
  const X = s.x.base();
  const { points, inverses } = normalize(suite, [T, T.add(suite.Point.BASE)], [twoY(suite, X)]);
  const [encT, encTG] = points.map(opensslEncoding);
  const w1 = s.w1.scalar;
  return {
    Z: pointFromX(suite, s.x.x(encT), s.x.x(encTG), X, inverses[0]),
    V: pointFromX(suite, w1.x(encT), w1.x(encTG), w1.base(), s.w1.invTwoY),
  };
}

/** The verifier's half: shareV = y*G + w0*N, and Z, V from the prover's (already validated) share X. */
export function verifierPoints(suite: Suite, s: { y: SecretScalar; w0: W0Keys; L: LPoints; X: Point }): SharedPoints & { shareV: Point } {
  const T = s.X.subtract(s.w0.w0M);
  if (T.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareP - w0*M is the identity; refusing it');
  const R = s.y.base();
  const shareV = R.add(s.w0.w0N);
  if (shareV.is0()) throw identityShare('shareV');
  if (nearG(suite, T) || s.L.degenerate) {
    const { points } = normalize(suite, [s.y.times(T), s.y.times(s.L.L), shareV]);
    return { Z: points[0], V: points[1], shareV: points[2] };
  }
  const { points, inverses } = normalize(suite, [T, T.add(suite.Point.BASE), shareV], [twoY(suite, R)]);
  const [encT, encTG] = points.map(opensslEncoding);
  const y = s.y;
  return {
    Z: pointFromX(suite, y.x(encT), y.x(encTG), R, inverses[0]),
    V: pointFromX(suite, y.x(s.L.encoded), y.x(s.L.encodedLG), R, inverses[0]),
    shareV: points[2],
  };
}

/** T = ±G: x(k*T) = x(k*G), so the recovery has nothing to solve for (public condition). */
function nearG(suite: Suite, T: Point): boolean {
  const G = suite.Point.BASE;
  return T.equals(G) || T.equals(G.negate());
}

function identityShare(what: string): SecGearError {
  // Happens only with probability ~2^-256 for honest randomness; never send the identity.
  return new SecGearError(ErrorCode.GENERIC, `${what} came out as the identity; start a new handshake`);
}
