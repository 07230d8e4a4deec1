/**
 * What a client or server requires of the enclave at the other end of an RA-TLS connection,
 * checked over the normalized claims whatever the TEE.
 */
import type { CollateralItem, NormalizedClaims, Tee, TcbStatus, TrustAnchor } from '../attest/types.js';

export interface RaTlsPolicy {
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
  /** The `nonce` claim the certificate must carry (pre-session freshness). */
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
  /** DER SubjectPublicKeyInfo of the attested key. */
  spki: Uint8Array;
}
