/**
 * Binding of the PAKE flow to attestation (docs/formats/pake-service.md §Binding).
 *
 * - The enclave's evidence binds (secGear's evidence binding, docs/formats/evidence-binding.md)
 *   the device's nonce and, as its data, a hash of the preamble it sends (suite, identities,
 *   salt, scrypt parameters): the device learns that these parameters come from the attested
 *   enclave, for this hello, on any TEE.
 * - The SPAKE2+ context is a hash of the evidence itself, so the handshake only completes if
 *   both sides used the same evidence: a relay that swaps evidence makes confirmation fail.
 */
import { createHash } from 'node:crypto';
import { lengthPrefixed } from './encoding.js';
import type { ScryptParams } from './registration.js';
import type { Suite } from './suites.js';

const PREAMBLE_LABEL = new TextEncoder().encode('secgear pake preamble v1');
const CONTEXT_LABEL = new TextEncoder().encode('secgear pake context v1');

export interface PreambleParams {
  suite: Suite;
  idProver: Uint8Array;
  idVerifier: Uint8Array;
  salt: Uint8Array;
  kdf: ScryptParams;
}

/** SHA-256 over the preamble parameters: the data the enclave's evidence binds with the device's nonce. */
export function preambleBinding(p: PreambleParams): Uint8Array {
  const kdf = new Uint8Array(12);
  const view = new DataView(kdf.buffer);
  view.setUint32(0, p.kdf.N);
  view.setUint32(4, p.kdf.r);
  view.setUint32(8, p.kdf.p);
  const input = lengthPrefixed(PREAMBLE_LABEL, new Uint8Array([p.suite.id]), p.idProver, p.idVerifier, p.salt, kdf);
  return new Uint8Array(createHash('sha256').update(input).digest());
}

/** The SPAKE2+ context for a session whose preamble carried `evidence`. */
export function attestedContext(evidence: { mediaType: string; data: Uint8Array }): Uint8Array {
  const digest = createHash('sha256').update(lengthPrefixed(new TextEncoder().encode(evidence.mediaType), evidence.data)).digest();
  return lengthPrefixed(CONTEXT_LABEL, new Uint8Array(digest));
}
