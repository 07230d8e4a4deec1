/**
 * EAR, the RATS attestation result format (draft-fv-rats-ear): the one appraisal shape the
 * CLI (`verify-evidence --ear`), the library and the attestation service share. An EAR is a
 * JSON claims set: a verifier id, an issue time, an optional `eat_nonce`, and one submodule
 * per appraised attester, each with `ear.status`, an AR4SI trustworthiness vector, the
 * policy that decided it and the normalized claims (`ear.veraison.annotated-evidence`).
 * The service signs it as a JWT; here it is plain data.
 */
import { toHex } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { AppraisalStatus, NormalizedClaims, VerificationResult } from './types.js';

export const EAR_PROFILE = 'tag:github.com,2023:veraison/ear';

/**
 * AR4SI trustworthiness claims (draft-ietf-rats-ar4si), each an integer tier:
 * 0 no claim, 2..31 affirming, 32..95 warning, 96..127 contraindicated.
 */
export interface TrustworthinessVector {
  'instance-identity'?: number;
  configuration?: number;
  executables?: number;
  'file-system'?: number;
  hardware?: number;
  'runtime-opaque'?: number;
  'storage-opaque'?: number;
  'sourced-data'?: number;
}

/** The normalized claims as JSON: bytes as lower-case hex, absent claims as null. */
export interface NormalizedClaimsJson {
  tee: string;
  format: string;
  measurement: string | null;
  measurements: Record<string, string>;
  signer: string | null;
  prodId: number | null;
  svn: number | null;
  debug: boolean | null;
  reportData: string | null;
  nonce: string | null;
  tcbStatus: string | null;
  advisoryIds: string[];
}

/** One appraised attester (an EAR submodule). */
export interface EarSubmodule {
  'ear.status': AppraisalStatus;
  'ear.trustworthiness-vector': TrustworthinessVector;
  /** The policy that produced the status (the service's policy ids, joined by commas when several). */
  'ear.appraisal-policy-id'?: string;
  'ear.veraison.annotated-evidence': NormalizedClaimsJson | Record<string, never>;
  /** secGear extension: why the status is what it is, one line each. */
  'secgear.reasons': string[];
}

/** The EAR claims set (what the service's token carries, plus the JWT's own iss/exp/jti). */
export interface Ear {
  eat_profile: typeof EAR_PROFILE;
  iat: number;
  'ear.verifier-id': { developer: string; build: string };
  /** The challenge, base64url (RFC 9711 `eat_nonce`), when the evidence was bound to one. */
  eat_nonce?: string;
  submods: Record<string, EarSubmodule>;
}

/** Bytes of the normalized claims as hex; null where the TEE has none. */
export function normalizedClaimsToJson(claims: NormalizedClaims, format: string): NormalizedClaimsJson {
  const hex = (b: Uint8Array | null) => (b ? toHex(b) : null);
  return {
    tee: claims.tee,
    format,
    measurement: hex(claims.measurement),
    measurements: Object.fromEntries(Object.entries(claims.measurements).map(([k, v]) => [k, toHex(v)])),
    signer: hex(claims.signer),
    prodId: claims.prodId,
    svn: claims.svn,
    debug: claims.debug,
    reportData: hex(claims.reportData),
    nonce: hex(claims.nonce),
    tcbStatus: claims.tcbStatus,
    advisoryIds: [...claims.advisoryIds],
  };
}

const TCB_TIER: Record<string, number> = {
  UpToDate: 2,
  SWHardeningNeeded: 32,
  ConfigurationNeeded: 32,
  ConfigurationAndSWHardeningNeeded: 32,
  OutOfDate: 32,
  OutOfDateConfigurationNeeded: 32,
  Revoked: 96,
};

export interface EarSubmoduleOptions {
  /** The policy ids that decided the status. */
  policyIds?: string[];
  /**
   * The outcome of the reference-value policy, when one ran: `true` the code matched,
   * `false` it did not (executables 33, "unrecognized runtime"). Omitted: no claim.
   */
  executablesApproved?: boolean;
  /** Overrides the result's appraisal (the service's policy outcome). */
  status?: AppraisalStatus;
  reasons?: string[];
}

/**
 * The EAR submodule of one verification: the status is the result's appraisal (or the
 * caller's policy outcome), the vector says which part of the trust decision each tier comes
 * from. Simulated evidence never earns a hardware or runtime-opaque claim.
 */
export function earSubmodule(result: VerificationResult, options: EarSubmoduleOptions = {}): EarSubmodule {
  const vector: TrustworthinessVector = {};
  const claims = result.claims;
  // a forged or unverifiable instance: nothing else in the vector can be believed
  vector['instance-identity'] = result.verified ? 2 : 96;
  if (result.verified && claims) {
    const simulated = claims.tee === 'sim';
    if (!simulated) vector.hardware = 2;
    if (simulated || claims.debug === true) vector['runtime-opaque'] = 96;
    else vector['runtime-opaque'] = 2;
    if (claims.tcbStatus) vector.configuration = TCB_TIER[claims.tcbStatus] ?? 0;
    if (options.executablesApproved !== undefined) vector.executables = options.executablesApproved ? 2 : 33;
  }
  const sub: EarSubmodule = {
    'ear.status': options.status ?? result.appraisal.status,
    'ear.trustworthiness-vector': vector,
    'ear.veraison.annotated-evidence': claims ? normalizedClaimsToJson(claims, result.format) : {},
    'secgear.reasons': options.reasons ?? [...result.appraisal.reasons],
  };
  if (options.policyIds && options.policyIds.length > 0) sub['ear.appraisal-policy-id'] = options.policyIds.join(',');
  return sub;
}

export interface EarOptions {
  submods: Record<string, EarSubmodule>;
  /** When the appraisal was made. */
  issuedAt: Date;
  /** The challenge the evidence was bound to (8 to 64 bytes, RFC 9711). */
  nonce?: Uint8Array;
  verifier?: { developer: string; build: string };
}

/** Assembles the EAR claims set. */
export function buildEar(options: EarOptions): Ear {
  if (!(options.issuedAt instanceof Date) || !Number.isFinite(options.issuedAt.getTime())) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'buildEar: issuedAt must be a valid Date');
  }
  if (Object.keys(options.submods).length === 0) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'buildEar: an EAR needs at least one submodule');
  }
  const ear: Ear = {
    eat_profile: EAR_PROFILE,
    iat: Math.floor(options.issuedAt.getTime() / 1000),
    'ear.verifier-id': options.verifier ?? { developer: 'secgear-ts', build: 'secgear' },
    submods: options.submods,
  };
  if (options.nonce) {
    if (options.nonce.byteLength < 8 || options.nonce.byteLength > 64) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `buildEar: eat_nonce must be 8 to 64 bytes, got ${options.nonce.byteLength}`);
    }
    ear.eat_nonce = Buffer.from(options.nonce).toString('base64url');
  }
  return ear;
}

const severity: Record<AppraisalStatus, number> = { affirming: 0, warning: 1, contraindicated: 2 };

/** The worst status over every submodule (what a relying party usually gates on). */
export function earOverallStatus(ear: Pick<Ear, 'submods'>): AppraisalStatus {
  let worst: AppraisalStatus = 'affirming';
  const subs = Object.values(ear.submods);
  if (subs.length === 0) return 'contraindicated';
  for (const sub of subs) {
    const s = sub['ear.status'];
    if (!(s in severity)) return 'contraindicated';
    if (severity[s] > severity[worst]) worst = s;
  }
  return worst;
}
