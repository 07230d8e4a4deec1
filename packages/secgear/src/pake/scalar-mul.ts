/**
 * Secret-scalar multiplication in OpenSSL. A secret scalar k is held as a `SecretScalar`, which
 * owns one node:crypto ECDH key with private key k:
 *  - `base()` is k*G in full: the ECDH public key, computed by OpenSSL from its precomputed
 *    generator table (about a tenth of the cost of a multiplication by any other point);
 *  - `x(T)` is x(k*T) for a validated point T: ECDH computeSecret.
 * Both run in OpenSSL's constant-time code. Whole points k*T are put together from several x
 * values in point-recovery.ts; shares.ts decides which.
 *
 * noble's `multiply` (a fixed-window, data-oblivious table scan with scalar blinding in
 * @noble/curves 2.x) stays as the slow path for inputs where the x-coordinate method degenerates.
 * Multi-scalar multiplication (noble's `msm`, Pippenger) is not used: it is variable-time and
 * every scalar here is secret.
 */
import { createECDH, type ECDH } from 'node:crypto';
import { bigIntToBytes, bytesToBigInt } from './encoding.js';
import type { Point, Suite } from './suites.js';

/** Key objects with a fresh, never-used random key, per suite (see `SecretScalar.random`). */
const spares = new Map<Suite, ECDH[]>();
const MAX_SPARES = 4;

/** One secret scalar k in [1, p-1]. */
export class SecretScalar {
  readonly suite: Suite;
  #k: bigint | undefined;
  #ecdh: ECDH | undefined;
  #base: Point | undefined;
  #pooled = false;

  constructor(suite: Suite, k: bigint) {
    this.suite = suite;
    this.#k = k;
  }

  /**
   * A fresh uniformly random scalar, chosen by OpenSSL's key generation (rejection sampling in
   * [1, p-1]); cheaper than choosing it here and importing it. The key object may come from a
   * small pool: `forget()` gives it back after overwriting its key with a new, never-used random
   * one, so an ephemeral key is gone from memory as soon as its handshake is done (rather than
   * whenever the garbage collector frees the object) and the next one costs no object creation.
   */
  static random(suite: Suite): SecretScalar {
    const scalar = new SecretScalar(suite, 0n);
    scalar.#k = undefined;
    const spare = spares.get(suite)?.pop();
    if (spare) {
      scalar.#ecdh = spare;
    } else {
      scalar.#ecdh = createECDH(suite.opensslCurve);
      scalar.#ecdh.generateKeys();
    }
    scalar.#pooled = true;
    return scalar;
  }

  get k(): bigint {
    this.#k ??= bytesToBigInt(this.#key().getPrivateKey());
    return this.#k;
  }

  #key(): ECDH {
    if (!this.#ecdh) {
      if (this.#k === undefined) throw new Error('SecretScalar used after forget()');
      const ecdh = createECDH(this.suite.opensslCurve);
      ecdh.setPrivateKey(Buffer.from(bigIntToBytes(this.#k, this.suite.scalarLength)));
      this.#ecdh = ecdh;
    }
    return this.#ecdh;
  }

  /** k*G, affine (Z = 1). */
  base(): Point {
    this.#base ??= trustedPoint(this.suite, this.#key().getPublicKey());
    return this.#base;
  }

  /** x(k*T) for T in its uncompressed encoding: a validated point other than the identity. */
  x(encodedT: Uint8Array): bigint {
    return bytesToBigInt(this.#key().computeSecret(encodedT));
  }

  /** k*T through noble's constant-time multiply: the slow path. */
  times(T: Point): Point {
    return T.multiply(this.k);
  }

  /**
   * Drops the key: a pooled OpenSSL key object is overwritten with a fresh random key and kept
   * for a later `random()`; bigints cannot be overwritten, so for them dropping references is all.
   */
  forget(): void {
    const ecdh = this.#ecdh;
    if (ecdh && this.#pooled) {
      ecdh.generateKeys();
      let list = spares.get(this.suite);
      if (!list) spares.set(this.suite, (list = []));
      if (list.length < MAX_SPARES) list.push(ecdh);
    }
    this.#pooled = false;
    this.#ecdh = undefined;
    this.#base = undefined;
    this.#k = undefined;
  }
}

/** A point OpenSSL produced (on the curve by construction): parsed without re-checking. */
function trustedPoint(suite: Suite, bytes: Uint8Array): Point {
  const n = suite.Point.Fp.BYTES;
  return suite.Point.fromAffine({ x: bytesToBigInt(bytes.subarray(1, 1 + n)), y: bytesToBigInt(bytes.subarray(1 + n)) });
}

/** k*G for a secret k in [1, p-1]. */
export function multiplyBase(suite: Suite, k: bigint): Point {
  return new SecretScalar(suite, k).base();
}
