/**
 * The verifier side of secGear's evidence binding (docs/formats/evidence-binding.md): every
 * consumer that checks what evidence vouches for (verifyEvidence's `reportData` option, RA-TLS,
 * the secure channel, PAKE, the attestation service) uses these, so they all agree on one rule:
 * the TEE's report data slot (the normalized `reportData` claim: SGX/TDX REPORTDATA, SEV-SNP
 * REPORT_DATA, CCA/virtCCA realm challenge, Nitro user_data, sim report data) equals
 * `evidenceBinding({ nonce, reportData })`, all 64 bytes.
 */
import { constantTimeEqual, isBytes } from '../common/bytes.js';
import { evidenceBinding, MAX_BINDING_DATA_SIZE, MAX_BINDING_NONCE_SIZE, type EvidenceBindingInput } from '../common/evidence-binding.js';
import type { CheckOutcome, NormalizedClaims } from './types.js';

export { evidenceBinding, EVIDENCE_BINDING_DOMAIN, EVIDENCE_BINDING_SIZE, type EvidenceBindingInput } from '../common/evidence-binding.js';

/** Name of the check `verifyEvidence` records for the binding. */
export const BINDING_CHECK = 'binding';

function inRange(expected: EvidenceBindingInput): boolean {
  const { nonce, reportData } = expected;
  return (nonce === undefined || (isBytes(nonce) && nonce.byteLength <= MAX_BINDING_NONCE_SIZE)) &&
    (reportData === undefined || (isBytes(reportData) && reportData.byteLength <= MAX_BINDING_DATA_SIZE));
}

/**
 * True when `reportData` (the TEE's 64-byte slot) is secGear's binding of `expected`. False for
 * anything else, including a nonce or data too long to have been bound.
 */
export function reportDataBinds(reportData: Uint8Array | null | undefined, expected: EvidenceBindingInput): boolean {
  if (!isBytes(reportData) || !inRange(expected)) return false;
  return constantTimeEqual(reportData, evidenceBinding(expected));
}

/**
 * The `binding` check on verified claims: whether the evidence vouches for exactly this nonce
 * and data. Use it on the claims of a `verifyEvidence` result that passed; `verifyEvidence`
 * records it itself when given `reportData`.
 */
export function checkEvidenceBinding(claims: Pick<NormalizedClaims, 'reportData'> | null, expected: EvidenceBindingInput): CheckOutcome {
  if (!claims?.reportData) return { check: BINDING_CHECK, ok: false, detail: 'the evidence carries no report data to bind a nonce or data' };
  if (!inRange(expected)) {
    return { check: BINDING_CHECK, ok: false, detail: `the expected nonce (at most ${MAX_BINDING_NONCE_SIZE} bytes) or data (at most ${MAX_BINDING_DATA_SIZE} bytes) could not have been bound` };
  }
  return reportDataBinds(claims.reportData, expected)
    ? { check: BINDING_CHECK, ok: true }
    : {
        check: BINDING_CHECK,
        ok: false,
        detail: 'the report data is not the binding of the expected nonce and data: the evidence was made for another nonce (stale or replayed) or vouches for other data',
      };
}
