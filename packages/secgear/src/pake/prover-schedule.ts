/**
 * The prover's key schedule when Z and V are known up to sign (shares.ts gives x and one root
 * y of each). Instead of two more ECDH derivations to fix the signs, the prover evaluates the
 * four transcripts (±Z, ±V) and keeps the one whose confirmV = MAC(K_confirmV, shareP) verifies.
 *
 * Why this is sound: the four transcripts differ in TT, so their keys are independent and an
 * honest verifier's tag matches only the true one (another match is a MAC collision, 2^-256).
 * A peer that makes a tag for a sign variant must know that variant's Z and V, and -P is as easy
 * to know as P: accepting a variant gives no one anything they could not already compute, and
 * a wrong password still matches none of the four. The cost is three more hash-and-HMAC chains
 * (~0.1 ms; the SHA-256 state after the common prefix of TT is copied, not recomputed) against
 * two ECDH derivations (~0.3 ms).
 *
 * Constant time: all four candidates are always evaluated, tags compared with timingSafeEqual,
 * and the matching keys are selected by masking, so which signs were right does not show in the
 * timing. Only "none or several matched" branches; that outcome is public (the handshake fails).
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual, zeroize } from '../common/bytes.js';
import { bigIntToBytes, lengthPrefixed } from './encoding.js';
import { confirmationKeys, extract, mac, sharedKey, transcriptPrefix, type TranscriptInput } from './key-schedule.js';
import type { PointsUpToSign } from './shares.js';
import type { Suite } from './suites.js';

export interface ProverKeys {
  /** MAC(K_confirmP, shareV): message 3. */
  confirmP: Uint8Array;
  K_shared: Uint8Array;
}

/** confirmP and K_shared of the transcript whose confirmV verifies, or undefined if none does. */
export function proverSchedule(
  suite: Suite,
  t: Omit<TranscriptInput, 'Z' | 'V'>,
  points: PointsUpToSign,
  confirmV: Uint8Array,
): ProverKeys | undefined {
  const p = suite.Point.Fp.ORDER;
  const Z = [encode(suite, points.xZ, points.yZ), encode(suite, points.xZ, p - points.yZ)];
  const V = [encode(suite, points.xV, points.yV), encode(suite, points.xV, p - points.yV)];
  const w0Part = lengthPrefixed(t.w0);
  const prefix = createHash(suite.hash).update(transcriptPrefix(suite, t));
  const candidates: { prk: Uint8Array; K_confirmP: Uint8Array; fits: number }[] = [];
  for (const z of Z) {
    const withZ = prefix.copy().update(z);
    for (const v of V) {
      const K_main = new Uint8Array(withZ.copy().update(v).update(w0Part).digest());
      const prk = extract(suite, K_main);
      const { K_confirmP, K_confirmV } = confirmationKeys(suite, prk);
      const fits = Number(constantTimeEqual(mac(suite, K_confirmV, t.shareP), confirmV));
      candidates.push({ prk, K_confirmP, fits });
      [K_main, K_confirmV].forEach(zeroize);
    }
  }
  const prk = select(candidates.map((c) => [c.prk, c.fits]));
  const K_confirmP = select(candidates.map((c) => [c.K_confirmP, c.fits]));
  const matches = candidates.reduce((n, c) => n + c.fits, 0);
  for (const c of candidates) [c.prk, c.K_confirmP].forEach(zeroize);
  [...Z, ...V, w0Part].forEach(zeroize);
  try {
    if (matches !== 1) return undefined;
    return { confirmP: mac(suite, K_confirmP, t.shareV), K_shared: sharedKey(suite, prk) };
  } finally {
    zeroize(prk);
    zeroize(K_confirmP);
  }
}

/** len(P) || P for the uncompressed encoding of (x, y): the form Z and V take in TT. */
function encode(suite: Suite, x: bigint, y: bigint): Uint8Array {
  const n = suite.Point.Fp.BYTES;
  const point = new Uint8Array(1 + 2 * n);
  point[0] = 0x04;
  point.set(bigIntToBytes(x, n), 1);
  point.set(bigIntToBytes(y % suite.Point.Fp.ORDER, n), 1 + n);
  const out = lengthPrefixed(point);
  zeroize(point);
  return out;
}

/** OR of the arrays whose flag is 1 (all of one length), without a branch on the flags. */
function select(options: [Uint8Array, number][]): Uint8Array {
  const out = new Uint8Array(options[0][0].byteLength);
  for (const [bytes, flag] of options) {
    const mask = -flag & 0xff;
    for (let i = 0; i < out.length; i++) out[i] |= bytes[i] & mask;
  }
  return out;
}
