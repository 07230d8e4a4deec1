/**
 * The platform operations behind sealing, local attestation and evidence: their names and the
 * shapes that cross `platformCall(op, ...args)` by structured clone. Trusted code (src/enclave)
 * sends them; each backend's platform (src/backends/*-platform) answers them. Both sides import
 * this file and nothing of each other.
 */
import type { EnclaveIdentity } from './platform.js';

export const PlatformOp = {
  /** `[SealKeyRequest]` → `SealKeyResponse`: the sealing base key of the caller (like EGETKEY SEAL_KEY). */
  sealKey: 'seal.key',
  /** `[]` → `Uint8Array`: the caller's target info, handed to enclaves that will report to it. */
  targetInfo: 'report.targetInfo',
  /** `[targetInfo: Uint8Array, reportData: Uint8Array]` → `Uint8Array` report (like EREPORT). */
  createReport: 'report.create',
  /** `[report: Uint8Array]` → `VerifiedReport`, only when the caller is the report's target. */
  verifyReport: 'report.verify',
  /** `[EvidenceRequest]` → `PlatformEvidence` (the quoting enclave's job on hardware). */
  evidence: 'evidence.get',
} as const;

export type SealPolicy = 'enclave' | 'signer';

export interface SealKeyRequest {
  policy: SealPolicy;
  /** The svn the key is bound to; default the caller's own. Above the caller's own svn is refused. */
  svn?: number;
}

export interface SealKeyResponse {
  /** 32 bytes, uniformly random to anyone without the platform root (an HKDF output). */
  key: Uint8Array;
  svn: number;
}

/** Bytes of report data in local reports and evidence (as SGX's REPORTDATA). */
export const REPORT_DATA_SIZE = 64;
/** Largest nonce evidence carries. */
export const MAX_NONCE_SIZE = 64;

export interface VerifiedReport {
  /** The identity of the enclave that produced the report, as its platform measured it. */
  identity: EnclaveIdentity;
  /** The 64 bytes of report data the reporting enclave chose. */
  reportData: Uint8Array;
}

/**
 * What evidence binds. The platform never puts `reportData` in the TEE's report data as is: it
 * writes `evidenceBinding({ nonce, reportData })` (common/evidence-binding.ts) there, on every
 * backend, so one verifier-side check fits every TEE.
 */
export interface EvidenceRequest {
  nonce?: Uint8Array;
  reportData?: Uint8Array;
}

/** Evidence in one envelope (media type + bytes), the same shape as `secgear/attest`'s EvidenceEnvelope. */
export interface PlatformEvidence {
  mediaType: string;
  data: Uint8Array;
  /**
   * What a verifier needs beside the evidence that came with it from the platform, by the
   * collateral role `verifyEvidence` understands (SEV-SNP: `vcek`/`vlek` and `askArk` certificates
   * from configfs-tsm's `auxblob`; cvm on TDX: the RTMR event log as `rtmrEventLog`). Untrusted
   * like any collateral: it only helps the verifier find the chain it checks against its anchors.
   */
  aux?: Array<{ role: string; data: Uint8Array }>;
}
