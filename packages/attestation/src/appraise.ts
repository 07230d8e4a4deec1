/**
 * Evidence to EAR: verify with the unified verifier (configured anchors only for sim), run the
 * selected CEL policies over the normalized claims and reference values, and build the EAR.
 * A policy can only make the status worse than the verifier's appraisal, never better.
 */
import {
  buildEar,
  earSubmodule,
  intelCollateralRequest,
  normalizedClaimsToJson,
  verifyEvidence,
  type AppraisalStatus,
  type CollateralItem,
  type Ear,
  type EvidenceEnvelope,
  type VerificationResult,
} from 'secgear/attest';
import type { ServiceContext } from './context.js';
import { toCelValue } from './policy/cel.js';
import { ATTESTATION_POLICY_VARIABLES, referenceMap, selectPolicies, type PolicyCache } from './policy/store.js';

const rank: Record<AppraisalStatus, number> = { affirming: 0, warning: 1, contraindicated: 2 };
const worst = (a: AppraisalStatus, b: AppraisalStatus): AppraisalStatus => (rank[b] > rank[a] ? b : a);

export interface Appraised {
  result: VerificationResult;
  ear: Ear;
  status: AppraisalStatus;
}

async function fetchedCollateral(ctx: ServiceContext, data: Uint8Array, format: string | null): Promise<CollateralItem[]> {
  const fetcher = ctx.verifier.collateralFetcher;
  if (!fetcher || (format !== 'sgx-dcap' && format !== 'tdx')) return [];
  try {
    return (await fetcher.fetch(intelCollateralRequest(data))).items;
  } catch {
    // without collateral the verifier still checks signatures and reports the TCB as unknown
    return [];
  }
}

export async function appraise(
  ctx: ServiceContext,
  policies: PolicyCache,
  input: { evidence: Uint8Array | EvidenceEnvelope; nonce: Uint8Array; policyIds?: string[]; format?: string | null },
): Promise<Appraised> {
  const now = ctx.clock();
  const data = input.evidence instanceof Uint8Array ? input.evidence : input.evidence.data;
  const collateral = [...ctx.verifier.collateral, ...(await fetchedCollateral(ctx, data, input.format ?? null))];
  const result = await verifyEvidence(input.evidence, {
    collateral,
    trustAnchors: ctx.verifier.trustAnchors,
    replaceBuiltInAnchors: ctx.verifier.replaceBuiltInAnchors,
    trustLocalSimRoot: false,
    allowSimulation: ctx.verifier.allowSimulation,
    now,
    nonce: input.nonce,
  });
  const tee = result.tee ?? 'unknown';
  let status: AppraisalStatus = result.verified ? result.appraisal.status : 'contraindicated';
  const reasons = [...result.appraisal.reasons];
  const ids: string[] = [];
  let executablesApproved: boolean | undefined;
  if (result.verified && result.claims) {
    const selected = await selectPolicies(ctx.store, tee, input.policyIds);
    const variables = {
      claims: toCelValue(normalizedClaimsToJson(result.claims, result.format)),
      ref: await referenceMap(ctx.store, tee, now),
      tee,
      format: result.format,
      verifier_status: result.appraisal.status,
    };
    for (const policy of selected) {
      ids.push(policy.id);
      let outcome: AppraisalStatus;
      if (policy.tee !== '*' && policy.tee !== tee) {
        outcome = 'contraindicated';
        reasons.push(`policy ${policy.id}: written for tee ${policy.tee}, the evidence is ${tee}`);
      } else {
        try {
          outcome = policies.get(policy.expression, ATTESTATION_POLICY_VARIABLES).evaluate(variables);
        } catch (error) {
          outcome = 'contraindicated';
          reasons.push(`policy ${policy.id}: ${(error as Error).message}`);
        }
        if (outcome !== 'affirming') reasons.push(`policy ${policy.id}: ${outcome}`);
      }
      status = worst(status, outcome);
      if (policy.id !== 'default') executablesApproved = (executablesApproved ?? true) && outcome !== 'contraindicated';
    }
  }
  const ear = buildEar({
    submods: { [tee]: earSubmodule(result, { policyIds: ids, status, reasons, executablesApproved }) },
    issuedAt: now,
    nonce: input.nonce,
    verifier: { developer: 'secgear-ts', build: '@secgear/attestation' },
  });
  return { result, ear, status };
}
