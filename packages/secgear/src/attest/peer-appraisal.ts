/**
 * What a client requires of the enclave at the other end of an RA-TLS connection or a secure
 * channel, checked over the normalized claims whatever the TEE; and the one function both use
 * to verify the peer's evidence against it.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { CollateralItem, EvidenceEnvelope, EvidenceFormat, NormalizedClaims, Tee, TcbStatus, TrustAnchor, VerificationResult } from './types.js';
import { verifyEvidence } from './verify.js';

export interface AttestationPolicy {
  /** Allowed code measurements (any one matches). */
  measurements?: Uint8Array[];
  /** Allowed signers (MRSIGNER and the like). */
  signers?: Uint8Array[];
  /** Required product id. */
  prodId?: number;
  /** Minimum security version. */
  minSvn?: number;
  /** Accept debug TEEs (whose memory the host can read). Default false. */
  allowDebug?: boolean;
  /** TCB statuses accepted besides `UpToDate`. */
  acceptTcbStatuses?: TcbStatus[];
  /**
   * Accept a `warning` appraisal (for example: no collateral given, so the TCB status is
   * unknown); its reasons are returned in `PeerAttestation.reasons`. Default false.
   */
  acceptWarning?: boolean;
  /** TEE kinds accepted. Default: any the verifiers know. */
  tees?: Tee[];
  /** Accept simulated evidence (sim and process backends). Never in production. Default false. */
  allowSimulation?: boolean;
  /** The nonce the evidence must carry (for RA-TLS: the certificate's `nonce` claim). */
  nonce?: Uint8Array;
  /** Verification inputs, as for `verifyEvidence`. */
  collateral?: CollateralItem[];
  trustAnchors?: TrustAnchor[];
  replaceBuiltInAnchors?: boolean;
  /** The time certificates and evidence must be valid at. Default now. */
  now?: Date;
}

/** What the application learns about a verified peer. */
export interface PeerAttestation {
  tee: Tee;
  claims: NormalizedClaims;
  /** The appraisal status and its reasons (EAR words). */
  status: 'affirming' | 'warning' | 'contraindicated';
  reasons: string[];
}

/**
 * Verifies evidence and applies the policy. Returns the full verification result and what the
 * application learns; throws `CC_ERROR_INVALID_EVIDENCE` when a check fails and
 * `CC_ERROR_ATTESTATION_REJECTED` when the policy or the appraisal refuses the peer.
 */
export async function appraisePeer(
  evidence: Uint8Array | EvidenceEnvelope,
  policy: AttestationPolicy,
  options: { format?: EvidenceFormat; what: string },
): Promise<{ result: VerificationResult; peer: PeerAttestation }> {
  if (typeof policy !== 'object' || policy === null) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${options.what}: the policy must be an object`);
  const result = await verifyEvidence(evidence, {
    format: options.format,
    nonce: policy.nonce,
    allowSimulation: policy.allowSimulation ?? false,
    collateral: policy.collateral,
    trustAnchors: policy.trustAnchors,
    replaceBuiltInAnchors: policy.replaceBuiltInAnchors,
    now: policy.now,
    policy: {
      measurements: policy.measurements,
      signers: policy.signers,
      minSvn: policy.minSvn,
      allowDebug: policy.allowDebug,
      acceptTcbStatuses: policy.acceptTcbStatuses,
    },
  });
  if (!result.verified || !result.claims || !result.tee) {
    const failure = result.failure ?? { check: 'evidence', message: 'no evidence verified' };
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `${options.what} rejected: check ${failure.check} failed: ${failure.message}`);
  }
  const claims = result.claims;
  const reasons = [...result.appraisal.reasons];
  let status = result.appraisal.status;
  if (policy.prodId !== undefined && claims.prodId !== policy.prodId) {
    status = 'contraindicated';
    reasons.push(`policy: prodId ${claims.prodId ?? 'unknown'} is not ${policy.prodId}`);
  }
  if (policy.tees && !policy.tees.includes(result.tee)) {
    status = 'contraindicated';
    reasons.push(`policy: TEE ${result.tee} is not among ${policy.tees.join(', ')}`);
  }
  if (status === 'contraindicated' || (status === 'warning' && !policy.acceptWarning)) {
    throw new SecGearError(ErrorCode.ATTESTATION_REJECTED, `${options.what} rejected (${status}): ${reasons.join('; ')}`);
  }
  return { result, peer: { tee: result.tee, claims, status, reasons } };
}
