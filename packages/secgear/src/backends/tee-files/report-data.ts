/**
 * The 64 bytes a real-TEE platform puts in the report data slot (SGX/TDX REPORTDATA, SEV-SNP
 * REPORT_DATA, CCA challenge) for an evidence request: secGear's one evidence binding
 * (common/evidence-binding.ts, docs/formats/evidence-binding.md), so one verifier-side check
 * fits every TEE.
 */
import { checkBindingInput, evidenceBinding } from '../../common/evidence-binding.js';

/** Validates an untrusted evidence request (from enclave code) and returns its binding. */
export function reportDataForRequest(request: unknown): Uint8Array {
  const { nonce, reportData } = (typeof request === 'object' && request !== null ? request : {}) as { nonce?: Uint8Array; reportData?: Uint8Array };
  checkBindingInput({ nonce, reportData }, 'evidence request');
  return evidenceBinding({ nonce, reportData });
}
