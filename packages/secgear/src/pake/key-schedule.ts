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
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { zeroize } from '../common/bytes.js';
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

export function transcript(suite: Suite, t: TranscriptInput): Uint8Array {
  return lengthPrefixed(
    t.context,
    t.idProver,
    t.idVerifier,
    encodePoint(suite.M),
    encodePoint(suite.N),
    t.shareP,
    t.shareV,
    t.Z,
    t.V,
    t.w0,
  );
}

export function keySchedule(suite: Suite, t: TranscriptInput): KeySchedule {
  const TT = transcript(suite, t);
  const K_main = new Uint8Array(createHash(suite.hash).update(TT).digest());
  const confirmKeys = new Uint8Array(hkdfSync(suite.hash, K_main, new Uint8Array(0), INFO_CONFIRM, 2 * suite.hashLength));
  const K_confirmP = confirmKeys.slice(0, suite.hashLength);
  const K_confirmV = confirmKeys.slice(suite.hashLength);
  zeroize(confirmKeys);
  const K_shared = new Uint8Array(hkdfSync(suite.hash, K_main, new Uint8Array(0), INFO_SHARED, suite.hashLength));
  return {
    TT,
    K_main,
    K_confirmP,
    K_confirmV,
    K_shared,
    confirmP: mac(suite, K_confirmP, t.shareV),
    confirmV: mac(suite, K_confirmV, t.shareP),
  };
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
