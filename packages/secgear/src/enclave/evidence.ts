/**
 * Remote-attestation evidence from inside the enclave. The platform (the backend's quoting
 * service) signs this enclave's identity, the report data and the verifier's nonce; the result
 * travels in one envelope (media type + bytes, after the RATS conceptual message wrapper) that
 * `verifyEvidence` in `secgear/attest` accepts whatever TEE produced it. On `sim` and `process`
 * the evidence says `tee: "sim"` and verifiers reject it unless simulation is allowed.
 */
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { checkBindingInput } from '../common/evidence-binding.js';
import { PlatformOp, type PlatformEvidence } from '../common/platform-ops.js';
import { platformCall } from './runtime/platform-call.js';

export interface EvidenceOptions {
  /** The verifier's challenge (at most 64 bytes), bound into the evidence for freshness. */
  nonce?: Uint8Array;
  /**
   * Data bound into the evidence (up to 64 KiB), e.g. a key this enclave holds. The TEE's
   * report data holds `evidenceBinding({ nonce, reportData })` (SHA-512 with a domain label,
   * docs/formats/evidence-binding.md), never these bytes as they are; a verifier passes the same
   * `{ nonce, reportData }` to `verifyEvidence`.
   */
  reportData?: Uint8Array;
}

/** Evidence in its envelope: `{ mediaType, data }` (a named type, so ecall types that return it stay portable). */
export interface Evidence extends PlatformEvidence {
  mediaType: string;
  data: Uint8Array;
}

export async function getEvidence(options: EvidenceOptions = {}): Promise<Evidence> {
  const { nonce, reportData } = options;
  checkBindingInput({ nonce, reportData }, 'getEvidence');
  const result = (await platformCall(PlatformOp.evidence, { nonce, reportData })) as Evidence;
  if (!result || typeof result.mediaType !== 'string' || !isBytes(result.data)) {
    throw new SecGearError(ErrorCode.GENERIC, 'the platform returned malformed evidence');
  }
  const out: Evidence = { mediaType: result.mediaType, data: result.data };
  if (result.aux !== undefined) {
    if (!Array.isArray(result.aux) || !result.aux.every((item) => item && typeof item.role === 'string' && isBytes(item.data))) {
      throw new SecGearError(ErrorCode.GENERIC, 'the platform returned malformed auxiliary evidence');
    }
    out.aux = result.aux.map((item) => ({ role: item.role, data: item.data }));
  }
  return out;
}

/**
 * A ready-made ecall for hosts that attest this enclave:
 * `defineEnclave({ ecalls: { getEvidence: evidenceEcall } })`. It takes only the nonce: an
 * ecall that let the host choose the report data would let a malicious host make a genuine
 * enclave vouch for the host's own key. To bind data (a key hash, a channel share), compute it
 * inside the enclave and call `getEvidence({ nonce, reportData })` from an ecall of your own.
 * Every enclave also answers `enclave.getEvidence({ nonce })` on the host without any ecall.
 */
export function evidenceEcall(nonce?: Uint8Array): Promise<Evidence> {
  return getEvidence(nonce === undefined ? {} : { nonce });
}
