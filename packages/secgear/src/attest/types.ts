import type { JsonWebKey } from 'node:crypto';
import type { VerifierRegistry } from './registry.js';

/**
 * The one result shape every evidence verifier returns, and the plug-in interface a TEE
 * verifier implements. A verifier is one folder under `attest/verifiers/<tee>/` and one
 * registration line in `attest/verifiers/index.ts`.
 */

/** The TEEs of the built-in verifiers. */
export type BuiltInTee = 'sim' | 'sgx' | 'tdx' | 'sev-snp' | 'nitro' | 'cca' | 'virtcca';
/** The TEE that produced the evidence: a built-in name, or one a plug-in defines. */
export type Tee = BuiltInTee | (string & {});

/** Formats of the built-in verifiers. */
export type BuiltInEvidenceFormat = 'sim' | 'sgx-dcap' | 'tdx' | 'sev-snp' | 'nitro' | 'cca' | 'virtcca' | 'ra-tls-cert';
/** Evidence formats the CLI and `verifyEvidence({ format })` accept: the built-ins and any a plug-in registers. */
export type EvidenceFormat = BuiltInEvidenceFormat | (string & {});

/**
 * Evidence in one envelope (after the RATS conceptual message wrapper, CMW): a media type and
 * the bytes. Layers above never care which TEE produced it.
 */
export interface EvidenceEnvelope {
  mediaType: string;
  data: Uint8Array;
}

/** TCB status names as Intel PCS publishes them (other TEEs map onto the same words). */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked';

/** Claims every verifier fills the same way; `null` where the TEE has no such claim. */
export interface NormalizedClaims {
  tee: Tee;
  /** The main code measurement (MRENCLAVE, MRTD, SNP MEASUREMENT, Nitro PCR0, CCA RIM, sim measurement). */
  measurement: Uint8Array | null;
  /** Further measurements by name (RTMR0..3, PCRn, REM0..3, ...). */
  measurements: Record<string, Uint8Array>;
  /** Who signed or owns the code (MRSIGNER, sim signer, ...). */
  signer: Uint8Array | null;
  prodId: number | null;
  svn: number | null;
  debug: boolean | null;
  reportData: Uint8Array | null;
  nonce: Uint8Array | null;
  /** `null` when unknown (for example: no collateral given). */
  tcbStatus: TcbStatus | null;
  advisoryIds: string[];
}

/** EAR (RATS attestation results) status words. */
export type AppraisalStatus = 'affirming' | 'warning' | 'contraindicated';

/** The verdict in EAR form: a status word and the reasons for it. */
export interface Appraisal {
  status: AppraisalStatus;
  /** Why the status is what it is, one line each, most important first. */
  reasons: string[];
}

/** One named check and its outcome, so every failure names the exact check that failed. */
export interface CheckOutcome {
  /** Stable dotted name, e.g. `quote.signature`, `pck.chain`, `tcbInfo.validity`. */
  check: string;
  ok: boolean;
  detail?: string;
}

/** What `verifyEvidence` returns, for every format. */
export interface VerificationResult {
  /** Every signature, chain, CRL and validity check passed at `now`. */
  verified: boolean;
  format: EvidenceFormat;
  tee: Tee | null;
  claims: NormalizedClaims | null;
  /** The TEE's own claims, as parsed (field names after the TEE's specification). */
  rawClaims: Record<string, unknown>;
  appraisal: Appraisal;
  checks: CheckOutcome[];
  /** The first failed check, when `verified` is false. */
  failure: { check: string; message: string } | null;
}

/** A piece of collateral with its role (`tcbInfo`, `qeIdentity`, `pckCrl`, `vcek`, `cpak`, ...). */
export interface CollateralItem {
  role: string;
  data: Uint8Array;
  /** Where it came from, for messages. */
  source?: string;
}

/** A trust anchor: an X.509 certificate (DER) or a bare public key (JWK), for CCA CPAKs. */
export type TrustAnchor =
  | { kind: 'x509'; der: Uint8Array; source?: string }
  | { kind: 'jwk'; jwk: JsonWebKey; source?: string };

/** Options of `verifyEvidence`; every field is optional. */
export interface VerifyOptions {
  /** Detected from the bytes when omitted. */
  format?: EvidenceFormat;
  /** Collateral items, or what `loadCollateral` returns (`{ items }`). */
  collateral?: CollateralItem[] | { items: CollateralItem[] };
  /** Added to the built-in vendor roots, or used alone with `replaceBuiltInAnchors`. */
  trustAnchors?: TrustAnchor[];
  replaceBuiltInAnchors?: boolean;
  /** The time at which certificates and collateral must be valid. Defaults to the current time. */
  now?: Date;
  /**
   * Expected nonce; when given, evidence without it, or with another, is rejected. Alone, it
   * is found as the TEE carries it: secGear's binding with no data, or a TEE's own nonce field,
   * or (evidence of other tools) REPORTDATA that starts with it or with its SHA-256, or is its
   * SHA-512.
   */
  nonce?: Uint8Array;
  /**
   * The data the enclave bound with `getEvidence({ nonce, reportData })`. When given, the
   * evidence's report data must be exactly `evidenceBinding({ nonce, reportData })` (check
   * `binding`, docs/formats/evidence-binding.md), which also covers `nonce`.
   */
  reportData?: Uint8Array;
  /** The plug-ins to use. Default: `defaultVerifiers` (every built-in). */
  verifiers?: VerifierRegistry;
  /** Accept simulated evidence as `affirming` (never set this in production). */
  allowSimulation?: boolean;
  /**
   * Trust this machine's own sim root (`$SECGEAR_SIM_DIR` or `~/.secgear/sim`) for simulated
   * evidence. Default true, for a developer verifying on the machine that made the evidence;
   * a service sets it false and trusts only the sim roots it was configured with.
   */
  trustLocalSimRoot?: boolean;
  /** Optional expectations checked after verification (measurements, debug, minimum TCB status). */
  policy?: AppraisalPolicy;
}

/**
 * Caller expectations applied after verification (`applyPolicy`); they can only make the
 * appraisal worse, except `acceptTcbStatuses`, which lifts a warning that is only about the TCB.
 */
export interface AppraisalPolicy {
  /** Allowed measurements (any one matches). */
  measurements?: Uint8Array[];
  signers?: Uint8Array[];
  allowDebug?: boolean;
  minSvn?: number;
  /** TCB statuses that are acceptable (default: only `UpToDate` is affirming). */
  acceptTcbStatuses?: TcbStatus[];
}

/** Everything a verifier needs besides the evidence bytes, after option defaults are applied. */
export interface VerifierContext {
  collateral: CollateralItem[];
  trustAnchors: TrustAnchor[];
  replaceBuiltInAnchors: boolean;
  now: Date;
  nonce: Uint8Array | undefined;
  allowSimulation: boolean;
  /** See VerifyOptions.trustLocalSimRoot; undefined means true. */
  trustLocalSimRoot?: boolean;
  /** The registry in use, for plug-ins that verify evidence nested in theirs (RA-TLS certificates). */
  verifiers: VerifierRegistry;
}

/** What a plug-in returns; the registry adds the policy appraisal and the common fields. */
export interface VerifierOutput {
  tee: Tee | null;
  claims: NormalizedClaims | null;
  rawClaims: Record<string, unknown>;
  checks: CheckOutcome[];
  /** Reasons the plug-in wants in the appraisal (e.g. TCB status, simulation). */
  appraisal: Appraisal;
}

/** The plug-in interface of one evidence format (register with `registerVerifier`). */
export interface EvidenceVerifier {
  format: EvidenceFormat;
  /** Cheap check of whether these bytes look like this format (used when no format is given). */
  detect(data: Uint8Array): boolean;
  verify(data: Uint8Array, context: VerifierContext): Promise<VerifierOutput>;
  /**
   * True when the plug-in checks `context.nonce` itself (recording `nonce.binding`), as for
   * TEEs that carry a nonce inside their report data. Otherwise `verifyEvidence` compares the
   * expected nonce with `claims.nonce` (check `nonce`). Either way the nonce is checked once.
   */
  checksNonce?: boolean;
  /** Recognise a collateral file of this TEE by content; returns its role or null. */
  classifyCollateral?(data: Uint8Array): string | null;
  /** Recognise a trust-anchor file of this TEE by content. */
  classifyAnchor?(data: Uint8Array): TrustAnchor | null;
}
