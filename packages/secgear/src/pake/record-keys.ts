/**
 * What a handshake needs that depends only on the registration, computed once per record and
 * kept with it: w0*M and w0*N (both sides), L decoded with L+G (verifier), w1's OpenSSL key
 * (prover). A server that answers many handshakes for one record pays for these once.
 *
 * Each is attached to the caller's byte array it came from (record.w0, record.L, w0, w1) in a
 * WeakMap, together with a private copy of those bytes: an entry is used only while the array
 * still holds the same bytes (compared in constant time), so a caller who overwrites or reuses
 * the array gets a fresh computation, and the stale entry's copy is zeroized. When the array is
 * garbage collected, its entry goes with it. w0*M and w0*N are as secret as w0 (with them and
 * a transcript one can play the verifier), and like w0 inside Prover/Verifier they are bigints,
 * which JavaScript cannot overwrite: dropping the entry is what "wiping" can mean for them.
 */
import { timingSafeEqual } from 'node:crypto';
import { copyBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { normalize, opensslEncoding } from './affine.js';
import { decodePoint, decodeScalar } from './encoding.js';
import { recoverPair } from './point-recovery.js';
import { SecretScalar } from './scalar-mul.js';
import type { Point, Suite } from './suites.js';

interface Entry<V> {
  suite: Suite;
  copy: Uint8Array;
  value: V;
}

/** Values derived from the bytes of a caller's array, valid while the array holds those bytes. */
class BoundToBytes<V> {
  readonly #entries = new WeakMap<Uint8Array, Entry<V>>();
  readonly #make: (suite: Suite, bytes: Uint8Array) => V;

  constructor(make: (suite: Suite, bytes: Uint8Array) => V) {
    this.#make = make;
  }

  get(suite: Suite, bytes: Uint8Array): V {
    const entry = this.#entries.get(bytes);
    if (entry) {
      if (entry.suite === suite && entry.copy.byteLength === bytes.byteLength && timingSafeEqual(entry.copy, bytes)) return entry.value;
      zeroize(entry.copy);
      this.#entries.delete(bytes);
    }
    const value = this.#make(suite, bytes);
    this.#entries.set(bytes, { suite, copy: copyBytes(bytes), value });
    return value;
  }
}

/** w0 as a scalar, and w0*M, w0*N computed on first use. */
export class W0Keys {
  readonly scalar: SecretScalar;
  #w0M: Point | undefined;
  #w0N: Point | undefined;

  constructor(suite: Suite, w0: bigint) {
    this.scalar = new SecretScalar(suite, w0);
  }

  get w0M(): Point {
    if (!this.#w0M) this.#compute();
    return this.#w0M!;
  }

  get w0N(): Point {
    if (!this.#w0N) this.#compute();
    return this.#w0N!;
  }

  /**
   * x(w0*M), x(w0*N) and x(w0*(M+N+G)) = x(w0*M + w0*N + w0*G): one pair (point-recovery.ts).
   * M, N and G are independent public points, so the pair is never degenerate; the slow path is
   * there for completeness.
   */
  #compute(): void {
    const w0 = this.scalar;
    const suite = w0.suite;
    const e = fixedEncodings(suite);
    const pair = recoverPair(suite, { x1: w0.x(e.M), x2: w0.x(e.N), x3: w0.x(e.MNG) }, w0.base());
    [this.#w0M, this.#w0N] = pair ?? normalize(suite, [w0.times(suite.M), w0.times(suite.N)]).points;
  }
}

/** The record's L, decoded and checked, with L+G and L's encoding for OpenSSL. */
export interface LPoints {
  L: Point;
  /** L = ±G (absurd for a real record, but possible in a crafted one): then L+G cannot be used. */
  degenerate: boolean;
  /** L + G (L itself when degenerate). */
  LG: Point;
  encoded: Buffer;
}

interface FixedEncodings {
  M: Buffer;
  N: Buffer;
  /** M + N + G. */
  MNG: Buffer;
}

const fixed = new WeakMap<Suite, FixedEncodings>();

function fixedEncodings(suite: Suite): FixedEncodings {
  let out = fixed.get(suite);
  if (!out) {
    const G = suite.Point.BASE;
    // public points: noble's own conversion is fine here
    const enc = (P: Point) => Buffer.from(P.toBytes(false));
    out = { M: enc(suite.M), N: enc(suite.N), MNG: enc(suite.M.add(suite.N).add(G)) };
    fixed.set(suite, out);
  }
  return out;
}

const w0Cache = new BoundToBytes((suite, bytes) => new W0Keys(suite, decodeScalar(suite, bytes, 'w0')));
const w1Cache = new BoundToBytes((suite, bytes) => new SecretScalar(suite, decodeScalar(suite, bytes, 'w1')));
const lCache = new BoundToBytes<LPoints>((suite, bytes) => {
  let L: Point;
  try {
    L = decodePoint(suite, bytes, 'record.L');
  } catch (cause) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'record.L is not a valid point; the verifier record is corrupt', { cause });
  }
  const G = suite.Point.BASE;
  const degenerate = L.equals(G) || L.equals(G.negate());
  return { L, degenerate, LG: degenerate ? L : L.add(G), encoded: opensslEncoding(L) };
});

/** w0's keys for this array's current bytes (validated: BAD_PARAMETERS when not a scalar). */
export function w0Keys(suite: Suite, w0: Uint8Array): W0Keys {
  return w0Cache.get(suite, w0);
}

/** w1's OpenSSL key for this array's current bytes. */
export function w1Key(suite: Suite, w1: Uint8Array): SecretScalar {
  return w1Cache.get(suite, w1);
}

/** L for this array's current bytes. */
export function lPoints(suite: Suite, L: Uint8Array): LPoints {
  return lCache.get(suite, L);
}
