/**
 * The group computations of RFC 9383 §3.3, as pure functions of scalars and points:
 *   shareP = x*P + w0*M                  shareV = y*P + w0*N
 *   prover:   Z = h*x*(Y - w0*N),  V = h*w1*(Y - w0*N)
 *   verifier: Z = h*y*(X - w0*M),  V = h*y*L
 * Secret scalars go through constant-time multiplication only (scalar-mul.ts: OpenSSL's ECDH
 * for P-256, noble's `multiply` with cached tables for M and N otherwise). A scalar may be
 * passed as a `SecretScalar`, so that one used twice (x, y, w0) sets up its key once.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import { cofactorClear } from './encoding.js';
import { SecretScalar } from './scalar-mul.js';
import type { Point, Suite } from './suites.js';

export type Scalar = bigint | SecretScalar;

const held = (suite: Suite, k: Scalar) => (typeof k === 'bigint' ? new SecretScalar(suite, k) : k);

export function computeShareP(suite: Suite, x: Scalar, w0: Scalar): Point {
  return nonIdentity(held(suite, x).base().add(held(suite, w0).times(suite.M)), 'shareP');
}

export function computeShareV(suite: Suite, y: Scalar, w0: Scalar): Point {
  return nonIdentity(held(suite, y).base().add(held(suite, w0).times(suite.N)), 'shareV');
}

export interface SharedPoints {
  Z: Point;
  V: Point;
}

/** The prover's Z and V from the verifier's (already validated) share Y. */
export function proverPoints(suite: Suite, s: { x: Scalar; w0: Scalar; w1: Scalar; Y: Point }): SharedPoints {
  const base = cofactorClear(suite, s.Y.subtract(held(suite, s.w0).times(suite.N)));
  if (base.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareV - w0*N is the identity; refusing it');
  return { Z: held(suite, s.x).times(base), V: held(suite, s.w1).times(base) };
}

/** The verifier's Z and V from the prover's (already validated) share X. */
export function verifierPoints(suite: Suite, s: { y: Scalar; w0: Scalar; L: Point; X: Point }): SharedPoints {
  const y = held(suite, s.y);
  const base = cofactorClear(suite, s.X.subtract(held(suite, s.w0).times(suite.M)));
  if (base.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareP - w0*M is the identity; refusing it');
  return { Z: y.times(base), V: y.times(cofactorClear(suite, s.L)) };
}

function nonIdentity(point: Point, what: string): Point {
  // Happens only with probability ~2^-256 for honest randomness; never send the identity.
  if (point.is0()) throw new SecGearError(ErrorCode.GENERIC, `${what} came out as the identity; start a new handshake`);
  return point;
}
