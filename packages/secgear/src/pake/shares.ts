/**
 * The group computations of RFC 9383 §3.3, as pure functions of scalars and points:
 *   shareP = x*P + w0*M                  shareV = y*P + w0*N
 *   prover:   Z = h*x*(Y - w0*N),  V = h*w1*(Y - w0*N)
 *   verifier: Z = h*y*(X - w0*M),  V = h*y*L
 * Secret scalars go through constant-time multiplication only: noble's `multiply` (with cached
 * tables for M and N) or OpenSSL's ECDH (scalar-mul.ts).
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import { cofactorClear } from './encoding.js';
import { multiply, multiplyBase } from './scalar-mul.js';
import type { Point, Suite } from './suites.js';

export function computeShareP(suite: Suite, x: bigint, w0: bigint): Point {
  return nonIdentity(multiplyBase(suite, x).add(suite.M.multiply(w0)), 'shareP');
}

export function computeShareV(suite: Suite, y: bigint, w0: bigint): Point {
  return nonIdentity(multiplyBase(suite, y).add(suite.N.multiply(w0)), 'shareV');
}

export interface SharedPoints {
  Z: Point;
  V: Point;
}

/** The prover's Z and V from the verifier's (already validated) share Y. */
export function proverPoints(suite: Suite, s: { x: bigint; w0: bigint; w1: bigint; Y: Point }): SharedPoints {
  const base = cofactorClear(suite, s.Y.subtract(suite.N.multiply(s.w0)));
  if (base.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareV - w0*N is the identity; refusing it');
  return { Z: multiply(suite, base, s.x), V: multiply(suite, base, s.w1) };
}

/** The verifier's Z and V from the prover's (already validated) share X. */
export function verifierPoints(suite: Suite, s: { y: bigint; w0: bigint; L: Point; X: Point }): SharedPoints {
  const base = cofactorClear(suite, s.X.subtract(suite.M.multiply(s.w0)));
  if (base.is0()) throw new SecGearError(ErrorCode.INVALID_POINT, 'shareP - w0*M is the identity; refusing it');
  return { Z: multiply(suite, base, s.y), V: multiply(suite, cofactorClear(suite, s.L), s.y) };
}

function nonIdentity(point: Point, what: string): Point {
  // Happens only with probability ~2^-256 for honest randomness; never send the identity.
  if (point.is0()) throw new SecGearError(ErrorCode.GENERIC, `${what} came out as the identity; start a new handshake`);
  return point;
}
