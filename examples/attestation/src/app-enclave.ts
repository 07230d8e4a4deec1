// Trusted side of the application enclave: it proves who it is to the service enclave on the
// same machine (a local report) and to a remote verifier (evidence).
import { createHash } from 'node:crypto';
import { defineEnclave, evidenceEcall, getReport, getTargetInfo } from 'secgear/enclave';

export const ecalls = {
  targetInfo: () => getTargetInfo(),
  /** A report for the enclave named by `targetInfo`, binding SHA-256(message) as report data. */
  reportFor: (targetInfo: Uint8Array, message: string) => getReport(targetInfo, new Uint8Array(createHash('sha256').update(message).digest())),
  /** Remote-attestation evidence, (nonce, reportData) → { mediaType, data }; `secgear attest` calls it too. */
  getEvidence: evidenceEcall,
};

defineEnclave({ ecalls });
