import { bytesEqual, isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { checkBindingInput } from '../common/evidence-binding.js';
import { checkEvidenceBinding, reportDataBinds } from './evidence-binding.js';
import { defaultVerifiers, VerifierRegistry } from './registry.js';
import type {
  Appraisal,
  AppraisalPolicy,
  CheckOutcome,
  CollateralItem,
  EvidenceEnvelope,
  NormalizedClaims,
  VerificationResult,
  VerifierContext,
  VerifyOptions,
} from './types.js';
import { formatForMediaType } from './media-types.js';

/**
 * Verifies TEE evidence of any registered format and returns one result shape.
 * Never throws for bad evidence: a malformed or forged input gives `verified: false` with the
 * failed check named. Throws `SecGearError` only for bad options (unknown format name).
 */
export async function verifyEvidence(
  evidence: Uint8Array | EvidenceEnvelope,
  options: VerifyOptions = {},
): Promise<VerificationResult> {
  const isEnvelope = (v: unknown): v is EvidenceEnvelope =>
    typeof v === 'object' && v !== null && isBytes((v as EvidenceEnvelope).data) && typeof (v as EvidenceEnvelope).mediaType === 'string';
  if (!isBytes(evidence) && !isEnvelope(evidence)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyEvidence(evidence): pass the evidence bytes (Uint8Array) or an envelope { mediaType, data }');
  }
  // an invalid clock would switch every validity and expiry check off: refuse it
  if (options.now !== undefined && !(options.now instanceof Date && Number.isFinite(options.now.getTime()))) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyEvidence: options.now must be a valid Date (e.g. new Date("2025-07-19T10:01:17Z"))');
  }
  if (options.nonce !== undefined && !isBytes(options.nonce)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyEvidence: options.nonce must be a Uint8Array');
  }
  // with reportData, the nonce is checked inside the binding, so it has the binding's limits
  if (options.reportData !== undefined) checkBindingInput({ nonce: options.nonce, reportData: options.reportData }, 'verifyEvidence');
  if (options.verifiers !== undefined && !(options.verifiers instanceof VerifierRegistry)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyEvidence: options.verifiers must be a VerifierRegistry');
  }
  const verifiers = options.verifiers ?? defaultVerifiers;
  const bindsData = options.reportData !== undefined;
  const collateral = collateralItems(options.collateral);
  const data = isBytes(evidence) ? evidence : evidence.data;
  const fromEnvelope = isBytes(evidence) ? undefined : formatForMediaType(evidence.mediaType);
  const format = options.format ?? fromEnvelope ?? verifiers.detect(data);
  if (!format) {
    return rejected('unknown', 'format.detect', 'the evidence matches no known format; pass the format explicitly (--format)');
  }
  const verifier = verifiers.get(format);
  const context: VerifierContext = {
    collateral,
    trustAnchors: options.trustAnchors ?? [],
    replaceBuiltInAnchors: options.replaceBuiltInAnchors ?? false,
    now: options.now ?? new Date(),
    // a plug-in's own nonce forms do not apply when the binding covers the nonce
    nonce: bindsData ? undefined : options.nonce,
    allowSimulation: options.allowSimulation ?? false,
    trustLocalSimRoot: options.trustLocalSimRoot ?? true,
    verifiers,
  };
  let output;
  try {
    output = await verifier.verify(data, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const check = error instanceof SecGearError && error.code === ErrorCode.INVALID_EVIDENCE ? 'evidence.parse' : 'verifier.internal';
    return rejected(format, check, message);
  }
  const checks = [...output.checks];
  let claims = output.claims;
  if (bindsData) {
    const binding = checkEvidenceBinding(claims, { nonce: options.nonce, reportData: options.reportData });
    checks.push(binding);
    if (binding.ok && claims && options.nonce) claims = { ...claims, nonce: options.nonce };
  } else if (options.nonce && claims && !verifier.checksNonce) {
    checks.push(nonceCheck(options.nonce, claims));
  }
  const failed = checks.find((c) => !c.ok);
  const verified = failed === undefined && checks.length > 0;
  let appraisal: Appraisal = verified
    ? output.appraisal
    : { status: 'contraindicated', reasons: [`check ${failed?.check ?? 'none'} failed${failed?.detail ? `: ${failed.detail}` : ''}`] };
  if (verified && options.policy && claims) appraisal = applyPolicy(appraisal, options.policy, claims);
  return {
    verified,
    format,
    tee: output.tee,
    claims,
    rawClaims: output.rawClaims,
    appraisal,
    checks,
    failure: failed ? { check: failed.check, message: failed.detail ?? 'failed' } : null,
  };
}

/** Collateral items, from an array or from what `loadCollateral` returns (`{ items }`). */
function collateralItems(collateral: unknown): CollateralItem[] {
  if (collateral === undefined) return [];
  const items = Array.isArray(collateral) ? collateral : (collateral as { items?: unknown })?.items;
  if (!Array.isArray(items) || !items.every((i) => typeof i === 'object' && i !== null && typeof i.role === 'string' && isBytes(i.data))) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyEvidence: options.collateral must be an array of { role, data } (or the result of loadCollateral)');
  }
  return items as CollateralItem[];
}

/** The TEE's nonce field, or secGear's binding of the nonce with no data in its report data slot. */
function nonceCheck(expected: Uint8Array, claims: NormalizedClaims): CheckOutcome {
  if (claims.nonce && bytesEqual(expected, claims.nonce)) return { check: 'nonce', ok: true };
  if (reportDataBinds(claims.reportData, { nonce: expected })) return { check: 'nonce', ok: true };
  if (!claims.nonce && !claims.reportData) return { check: 'nonce', ok: false, detail: 'a nonce was expected but the evidence carries none' };
  return { check: 'nonce', ok: false, detail: 'the evidence nonce differs from the expected one (stale or replayed evidence)' };
}

const severity = { affirming: 0, warning: 1, contraindicated: 2 } as const;

function worse(a: Appraisal, status: Appraisal['status'], reason: string): Appraisal {
  return { status: severity[status] > severity[a.status] ? status : a.status, reasons: [...a.reasons, reason] };
}

/** Applies caller expectations on top of the verifier's own appraisal; never improves it. */
export function applyPolicy(appraisal: Appraisal, policy: AppraisalPolicy, claims: NormalizedClaims): Appraisal {
  let out = appraisal;
  if (policy.measurements) {
    const m = claims.measurement;
    if (!m || !policy.measurements.some((x) => bytesEqual(x, m))) out = worse(out, 'contraindicated', 'policy: measurement is not among the allowed values');
  }
  if (policy.signers) {
    const s = claims.signer;
    if (!s || !policy.signers.some((x) => bytesEqual(x, s))) out = worse(out, 'contraindicated', 'policy: signer is not among the allowed values');
  }
  if (claims.debug === true && !policy.allowDebug) out = worse(out, 'contraindicated', 'policy: debug TEE, its memory is readable by the host');
  if (policy.minSvn !== undefined && (claims.svn === null || claims.svn < policy.minSvn)) {
    out = worse(out, 'contraindicated', `policy: svn ${claims.svn ?? 'unknown'} is below the minimum ${policy.minSvn}`);
  }
  if (policy.acceptTcbStatuses && claims.tcbStatus && policy.acceptTcbStatuses.includes(claims.tcbStatus) && out.status === 'warning') {
    // the caller accepts this TCB status explicitly: keep the reasons, lift only that warning
    const onlyTcb = out.reasons.every((r) => r.startsWith('tcb:'));
    if (onlyTcb) out = { status: 'affirming', reasons: [...out.reasons, `policy: TCB status ${claims.tcbStatus} accepted`] };
  }
  return out;
}

function rejected(format: VerificationResult['format'] | 'unknown', check: string, message: string): VerificationResult {
  return {
    verified: false,
    format: format as VerificationResult['format'],
    tee: null,
    claims: null,
    rawClaims: {},
    appraisal: { status: 'contraindicated', reasons: [`${check}: ${message}`] },
    checks: [{ check, ok: false, detail: message }],
    failure: { check, message },
  };
}
