/**
 * The group computations of RFC 9383 §3.3:
 *   shareP = x*P + w0*M                  shareV = y*P + w0*N
 *   prover:   Z = h*x*(Y - w0*N),  V = h*w1*(Y - w0*N)
 *   verifier: Z = h*y*(X - w0*M),  V = h*y*L
 * (h = 1 for both suites.) Every multiplication by a secret scalar runs in OpenSSL
 * (scalar-mul.ts), which returns x-coordinates; w0*M, w0*N and L's points come with the record
 * (record-keys.ts). Whole points:
 *  - verifier: Z and V as one pair from x(y*T), x(y*L) and x(y*(T + L + G)) = x(Z + V + R),
 *    R = y*G (point-recovery.ts): three derivations. A degenerate pair depends only on public
 *    points (every point involved is y times T, L or G): T = ±G, L = ±G, T = ±(L ± G). Those
 *    inputs take noble's constant-time multiply, which tells an observer nothing it did not know.
 *  - prover: x(x*T), x(w1*T) and a square root each: two derivations, signs settled by the
 *    verifier's confirmation (prover-schedule.ts).
 * All affine conversions of one side share one constant-time inversion (affine.ts).
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import { normalize, opensslEncoding } from './affine.js';
import { recoverPair, rootOfRhs } from './point-recovery.js';
import type { LPoints, W0Keys } from './record-keys.js';
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

/** Z and V known up to sign: their x-coordinates and one square root of f(x) each. */
export interface PointsUpToSign {
  xZ: bigint;
  yZ: bigint;
  xV: bigint;
  yV: bigint;
}

/**
 * The prover's Z and V up to sign from the verifier's (already validated) share Y: two ECDH
 * derivations on T = Y - w0*N and two square roots. The signs are settled by the verifier's
 * confirmation (prover-schedule.ts), which costs less than the two derivations that would
 * settle them here.
 */
export function proverPointsUpToSign(suite: Suite, s: { x: SecretScalar; w0: W0Keys; w1: SecretScalar; Y: Point }): PointsUpToSign {
  const T = s.Y.subtract(s.w0.w0N);
  if (T.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareV - w0*N is the identity; refusing it');
  const encT = opensslEncoding(normalize(suite, [T]).points[0]);
  const xZ = s.x.x(encT);
  const xV = s.w1.x(encT);
  return { xZ, yZ: rootOfRhs(suite, xZ), xV, yV: rootOfRhs(suite, xV) };
}

/** The verifier's half: shareV = y*G + w0*N, and Z, V from the prover's (already validated) share X. */
export function verifierPoints(suite: Suite, s: { y: SecretScalar; w0: W0Keys; L: LPoints; X: Point }): SharedPoints & { shareV: Point } {
  const T = s.X.subtract(s.w0.w0M);
  if (T.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareP - w0*M is the identity; refusing it');
  const R = s.y.base();
  const shareV = R.add(s.w0.w0N);
  if (shareV.is0()) throw identityShare('shareV');
  const slow = () => {
    const { points } = normalize(suite, [s.y.times(T), s.y.times(s.L.L), shareV]);
    return { Z: points[0], V: points[1], shareV: points[2] };
  };
  if (nearG(suite, T) || s.L.degenerate) return slow();
  const U = T.add(s.L.LG);
  if (!U.is0()) {
    const { points } = normalize(suite, [T, U, shareV]);
    const y = s.y;
    const pair = recoverPair(suite, { x1: y.x(opensslEncoding(points[0])), x2: y.x(s.L.encoded), x3: y.x(opensslEncoding(points[1])) }, R);
    if (pair) return { Z: pair[0], V: pair[1], shareV: points[2] };
  }
  return slow();
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
