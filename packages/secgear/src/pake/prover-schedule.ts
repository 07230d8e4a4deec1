/**
 * The prover's key schedule when Z and V are known up to sign (shares.ts gives x and one root
 * y of each). Instead of two more ECDH derivations to fix the signs, the prover builds the four
 * transcripts (±Z, ±V) and keeps the one whose confirmV = MAC(K_confirmV, shareP) verifies.
 *
 * Why this is sound: the four transcripts differ in TT, so their keys are independent and an
 * honest verifier's tag matches only the true one (another match is a MAC collision, 2^-256).
 * A peer that makes a tag for a sign variant must know that variant's Z and V, and -P is as easy
 * to know as P: accepting a variant gives no one anything they could not already compute, and
 * a wrong password still matches none of the four. The cost is three more hash-and-HMAC chains
 * (~0.1 ms) against two derivations (~0.3 ms).
 *
 * Constant time: all four candidates are always evaluated, tags compared with timingSafeEqual,
 * and the matching transcript is selected by masking, so which signs were right does not show in
 * the timing. Only "none or several matched" branches; that outcome is public (the handshake fails).
 */
import { constantTimeEqual, zeroize } from '../common/bytes.js';
import { bigIntToBytes } from './encoding.js';
import { confirmationKeys, mac, mainKey, scheduleFromTranscript, transcript, type KeySchedule, type TranscriptInput } from './key-schedule.js';
import type { PointsUpToSign } from './shares.js';
import type { Suite } from './suites.js';

/** The schedule of the transcript whose confirmV verifies, or undefined if none does. */
export function proverSchedule(
  suite: Suite,
  t: Omit<TranscriptInput, 'Z' | 'V'>,
  points: PointsUpToSign,
  confirmV: Uint8Array,
): KeySchedule | undefined {
  const p = suite.Point.Fp.ORDER;
  const Z = [encode(suite, points.xZ, points.yZ), encode(suite, points.xZ, p - points.yZ)];
  const V = [encode(suite, points.xV, points.yV), encode(suite, points.xV, p - points.yV)];
  const candidates: { TT: Uint8Array; K_main: Uint8Array; fits: number }[] = [];
  for (const z of Z) {
    for (const v of V) {
      const TT = transcript(suite, { ...t, Z: z, V: v });
      const K_main = mainKey(suite, TT);
      const keys = confirmationKeys(suite, K_main);
      const tag = mac(suite, keys.K_confirmV, t.shareP);
      candidates.push({ TT, K_main, fits: constantTimeEqual(tag, confirmV) ? 1 : 0 });
      zeroize(keys.K_confirmP);
      zeroize(keys.K_confirmV);
    }
  }
  const TT = select(candidates.map((c) => [c.TT, c.fits]));
  const K_main = select(candidates.map((c) => [c.K_main, c.fits]));
  const matches = candidates.reduce((n, c) => n + c.fits, 0);
  for (const c of candidates) {
    zeroize(c.TT);
    zeroize(c.K_main);
  }
  [...Z, ...V].forEach(zeroize);
  if (matches !== 1) {
    zeroize(TT);
    zeroize(K_main);
    return undefined;
  }
  return scheduleFromTranscript(suite, TT, K_main, t.shareP, t.shareV);
}

function encode(suite: Suite, x: bigint, y: bigint): Uint8Array {
  const n = suite.Point.Fp.BYTES;
  const out = new Uint8Array(1 + 2 * n);
  out[0] = 0x04;
  out.set(bigIntToBytes(x, n), 1);
  out.set(bigIntToBytes(y % suite.Point.Fp.ORDER, n), 1 + n);
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
