/**
 * Transcript and key schedule (RFC 9383 §3.3, §3.4):
 *   TT = len(Context)||Context || len(idProver)||idProver || len(idVerifier)||idVerifier
 *        || len(M)||M || len(N)||N || len(shareP)||shareP || len(shareV)||shareV
 *        || len(Z)||Z || len(V)||V || len(w0)||w0
 *   K_main = Hash(TT)
 *   K_confirmP || K_confirmV = KDF(nil, K_main, "ConfirmationKeys")
 *   K_shared = KDF(nil, K_main, "SharedKey")
 *   confirmP = MAC(K_confirmP, shareV), confirmV = MAC(K_confirmV, shareP)
 */
import { createHash, createHmac } from 'node:crypto';
import { concatBytes, zeroize } from '../common/bytes.js';
import { encodePoint, lengthPrefixed } from './encoding.js';
import type { Suite } from './suites.js';

export interface TranscriptInput {
  context: Uint8Array;
  idProver: Uint8Array;
  idVerifier: Uint8Array;
  shareP: Uint8Array;
  shareV: Uint8Array;
  Z: Uint8Array;
  V: Uint8Array;
  /** w0 as the suite's fixed-length big-endian scalar. */
  w0: Uint8Array;
}

export interface KeySchedule {
  TT: Uint8Array;
  K_main: Uint8Array;
  K_confirmP: Uint8Array;
  K_confirmV: Uint8Array;
  K_shared: Uint8Array;
  /** The tag the prover sends: MAC(K_confirmP, shareV). */
  confirmP: Uint8Array;
  /** The tag the verifier sends: MAC(K_confirmV, shareP). */
  confirmV: Uint8Array;
}

const INFO_CONFIRM = new TextEncoder().encode('ConfirmationKeys');
const INFO_SHARED = new TextEncoder().encode('SharedKey');

const fixedPoints = new WeakMap<Suite, { M: Uint8Array; N: Uint8Array }>();

export function transcript(suite: Suite, t: TranscriptInput): Uint8Array {
  return concatBytes(transcriptPrefix(suite, t), lengthPrefixed(t.Z, t.V, t.w0));
}

/** TT up to shareV: the part that does not depend on Z, V and w0. */
export function transcriptPrefix(suite: Suite, t: Omit<TranscriptInput, 'Z' | 'V' | 'w0'>): Uint8Array {
  let fixed = fixedPoints.get(suite);
  if (!fixed) fixedPoints.set(suite, (fixed = { M: encodePoint(suite.M), N: encodePoint(suite.N) }));
  return lengthPrefixed(t.context, t.idProver, t.idVerifier, fixed.M, fixed.N, t.shareP, t.shareV);
}

export function keySchedule(suite: Suite, t: TranscriptInput): KeySchedule {
  const TT = transcript(suite, t);
  return scheduleFromTranscript(suite, TT, mainKey(suite, TT), t.shareP, t.shareV);
}

/** K_main = Hash(TT). */
export function mainKey(suite: Suite, TT: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(suite.hash).update(TT).digest());
}

/** The rest of the schedule once TT and K_main are known. */
export function scheduleFromTranscript(suite: Suite, TT: Uint8Array, K_main: Uint8Array, shareP: Uint8Array, shareV: Uint8Array): KeySchedule {
  // both KDF calls have the same input key and (empty) salt, so they share HKDF-Extract
  const prk = extract(suite, K_main);
  const { K_confirmP, K_confirmV } = confirmationKeys(suite, prk);
  const K_shared = sharedKey(suite, prk);
  zeroize(prk);
  return {
    TT,
    K_main,
    K_confirmP,
    K_confirmV,
    K_shared,
    confirmP: mac(suite, K_confirmP, shareV),
    confirmV: mac(suite, K_confirmV, shareP),
  };
}

/** K_confirmP || K_confirmV = HKDF-Expand(PRK, "ConfirmationKeys", 2 * Hash length). */
export function confirmationKeys(suite: Suite, prk: Uint8Array): { K_confirmP: Uint8Array; K_confirmV: Uint8Array } {
  const K_confirmP = hkdfBlock(suite, prk, undefined, INFO_CONFIRM, 1);
  return { K_confirmP, K_confirmV: hkdfBlock(suite, prk, K_confirmP, INFO_CONFIRM, 2) };
}

/** K_shared = HKDF-Expand(PRK, "SharedKey", Hash length). */
export function sharedKey(suite: Suite, prk: Uint8Array): Uint8Array {
  return hkdfBlock(suite, prk, undefined, INFO_SHARED, 1);
}

/** HKDF-Extract with the empty salt (RFC 5869: a string of HashLen zeros): the PRK of both KDF calls. */
export function extract(suite: Suite, K_main: Uint8Array): Uint8Array {
  return mac(suite, new Uint8Array(suite.hashLength), K_main);
}

/**
 * HKDF-Expand (RFC 5869 §2.3) one block at a time: T(i) = HMAC(PRK, T(i-1) || info || i).
 * Written out because node's hkdfSync costs several times more per call (it builds a key object
 * and a job), and every block we need is one HMAC.
 */
function hkdfBlock(suite: Suite, prk: Uint8Array, previous: Uint8Array | undefined, info: Uint8Array, i: number): Uint8Array {
  const h = createHmac(suite.hash, prk);
  if (previous) h.update(previous);
  return new Uint8Array(h.update(info).update(new Uint8Array([i])).digest());
}

export function mac(suite: Suite, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(suite.hash, key).update(data).digest());
}

/** Overwrites every secret of a schedule except K_shared (which the caller may hand out). */
export function wipeSchedule(s: KeySchedule): void {
  zeroize(s.TT);
  zeroize(s.K_main);
  zeroize(s.K_confirmP);
  zeroize(s.K_confirmV);
}
