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
import { invertBatch, normalize, opensslEncoding } from './affine.js';
import { decodePoint, decodeScalar } from './encoding.js';
import { pointFromX, twoY } from './point-recovery.js';
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

  /** x(w0*M), x(w0*(M+G)) and the same for N: four ECDH derivations (point-recovery.ts). */
  #compute(): void {
    const w0 = this.scalar;
    const suite = w0.suite;
    const e = fixedEncodings(suite);
    const R = w0.base();
    const [inv] = invertBatch(suite, [twoY(suite, R)]);
    this.#w0M = pointFromX(suite, w0.x(e.M), w0.x(e.MG), R, inv);
    this.#w0N = pointFromX(suite, w0.x(e.N), w0.x(e.NG), R, inv);
  }
}

/** w1 as a scalar with 1/(2 y(w1*G)), the denominator its points need (point-recovery.ts). */
export class W1Keys {
  readonly scalar: SecretScalar;
  #invTwoY: bigint | undefined;

  constructor(suite: Suite, w1: bigint) {
    this.scalar = new SecretScalar(suite, w1);
  }

  get invTwoY(): bigint {
    this.#invTwoY ??= invertBatch(this.scalar.suite, [twoY(this.scalar.suite, this.scalar.base())])[0];
    return this.#invTwoY;
  }
}

/** The record's L, decoded and checked, with L+G; encodings of both for OpenSSL. */
export interface LPoints {
  L: Point;
  /** L = ±G (absurd for a real record, but possible in a crafted one): then L+G cannot be used. */
  degenerate: boolean;
  encoded: Buffer;
  encodedLG: Buffer;
}

interface FixedEncodings {
  M: Buffer;
  MG: Buffer;
  N: Buffer;
  NG: Buffer;
}

const fixed = new WeakMap<Suite, FixedEncodings>();

function fixedEncodings(suite: Suite): FixedEncodings {
  let out = fixed.get(suite);
  if (!out) {
    const G = suite.Point.BASE;
    // public points: noble's own conversion is fine here
    const enc = (P: Point) => Buffer.from(P.toBytes(false));
    out = { M: enc(suite.M), MG: enc(suite.M.add(G)), N: enc(suite.N), NG: enc(suite.N.add(G)) };
    fixed.set(suite, out);
  }
  return out;
}

const w0Cache = new BoundToBytes((suite, bytes) => new W0Keys(suite, decodeScalar(suite, bytes, 'w0')));
const w1Cache = new BoundToBytes((suite, bytes) => new W1Keys(suite, decodeScalar(suite, bytes, 'w1')));
const lCache = new BoundToBytes<LPoints>((suite, bytes) => {
  let L: Point;
  try {
    L = decodePoint(suite, bytes, 'record.L');
  } catch (cause) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'record.L is not a valid point; the verifier record is corrupt', { cause });
  }
  const G = suite.Point.BASE;
  const degenerate = L.equals(G) || L.equals(G.negate());
  // L is part of a confidential record: convert L+G with the blinded inversion too
  const LG = degenerate ? L : normalize(suite, [L.add(G)]).points[0];
  return { L, degenerate, encoded: opensslEncoding(L), encodedLG: opensslEncoding(LG) };
});

/** w0's keys for this array's current bytes (validated: BAD_PARAMETERS when not a scalar). */
export function w0Keys(suite: Suite, w0: Uint8Array): W0Keys {
  return w0Cache.get(suite, w0);
}

/** w1's keys for this array's current bytes. */
export function w1Keys(suite: Suite, w1: Uint8Array): W1Keys {
  return w1Cache.get(suite, w1);
}

/** L for this array's current bytes. */
export function lPoints(suite: Suite, L: Uint8Array): LPoints {
  return lCache.get(suite, L);
}
