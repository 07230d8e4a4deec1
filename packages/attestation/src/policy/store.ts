/**
 * Attestation policies and reference values as records in the store. A policy is a CEL
 * expression for one TEE (or "*"), optionally that TEE's default. A reference value is a named
 * set of accepted values (measurements, RTMRs, PCRs, CCA/virtCCA component digests, signers...)
 * with where it came from and when it stops counting; expired values are left out of `ref`.
 */
import { HttpError } from '../context.js';
import type { Store } from '../store/types.js';
import { compilePolicy, type CompiledPolicy } from './cel.js';

export const TEES = ['sim', 'sgx', 'tdx', 'sev-snp', 'nitro', 'cca', 'virtcca', '*'] as const;
/** Variables an attestation policy sees. */
export const ATTESTATION_POLICY_VARIABLES = ['claims', 'ref', 'tee', 'format', 'verifier_status'] as const;
/** Variables a resource policy sees. */
export const RESOURCE_POLICY_VARIABLES = ['token', 'claims', 'status', 'tee'] as const;

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const REFERENCE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const MAX_VALUES = 64;
const MAX_VALUE_LENGTH = 1024;

export interface PolicyRecord {
  id: string;
  tee: (typeof TEES)[number];
  expression: string;
  isDefault: boolean;
  updatedAt: string;
}

export interface ReferenceRecord {
  name: string;
  values: string[];
  /** Only for evidence of this TEE; null for every TEE. */
  tee: string | null;
  /** Where the values came from (a build pipeline, a vendor's signed manifest, an operator). */
  provenance: string;
  /** ISO time after which the values no longer count; null: no expiry. */
  expiresAt: string | null;
  updatedAt: string;
}

/** Lower-case hex without 0x when the value is hex; other strings as given. */
export function normalizeReferenceValue(value: string): string {
  return /^(0x)?[0-9a-fA-F]+$/.test(value) && value.replace(/^0x/, '').length % 2 === 0 ? value.replace(/^0x/, '').toLowerCase() : value;
}

export function checkReference(input: unknown, now: Date): ReferenceRecord {
  const bad = (m: string): never => {
    throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', `reference value: ${m}`);
  };
  if (typeof input !== 'object' || input === null) bad('expected an object { name, values, tee?, provenance?, expires_at? }');
  const r = input as Record<string, unknown>;
  if (typeof r.name !== 'string' || !REFERENCE_NAME_PATTERN.test(r.name)) bad(`name must match ${REFERENCE_NAME_PATTERN}`);
  const raw = typeof r.values === 'string' ? [r.values] : r.values;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_VALUES) bad(`values must be a string or a list of 1 to ${MAX_VALUES} strings`);
  const values = (raw as unknown[]).map((v) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_VALUE_LENGTH) bad(`each value must be a string of 1 to ${MAX_VALUE_LENGTH} characters`);
    return normalizeReferenceValue(v as string);
  });
  const tee = r.tee ?? null;
  if (tee !== null && !(typeof tee === 'string' && (TEES as readonly string[]).includes(tee) && tee !== '*')) bad(`tee must be one of ${TEES.filter((t) => t !== '*').join(', ')}`);
  const provenance = r.provenance ?? 'api';
  if (typeof provenance !== 'string' || provenance.length > 512) bad('provenance must be a string of at most 512 characters');
  let expiresAt: string | null = null;
  const exp = r.expires_at ?? r.expiresAt;
  if (exp !== undefined && exp !== null) {
    const ms = typeof exp === 'string' ? Date.parse(exp) : NaN;
    if (!Number.isFinite(ms)) bad('expires_at must be an ISO 8601 time');
    expiresAt = new Date(ms).toISOString();
  }
  return { name: r.name as string, values, tee: tee as string | null, provenance: provenance as string, expiresAt, updatedAt: now.toISOString() };
}

/** The `ref` variable: name → accepted values, for references that apply to `tee` and have not expired. */
export async function referenceMap(store: Store, tee: string, now: Date): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const { value } of await store.list<ReferenceRecord>('reference')) {
    if (value.tee !== null && value.tee !== tee) continue;
    if (value.expiresAt !== null && Date.parse(value.expiresAt) <= now.getTime()) continue;
    out[value.name] = value.values;
  }
  return out;
}

/** Compiled policies by source text, per service instance (compiling costs more than evaluating). */
export class PolicyCache {
  private readonly compiled = new Map<string, CompiledPolicy>();

  get(source: string, variables: readonly string[]): CompiledPolicy {
    const key = `${variables.join(',')}\n${source}`;
    let policy = this.compiled.get(key);
    if (!policy) {
      policy = compilePolicy(source, variables);
      if (this.compiled.size >= 256) this.compiled.delete(this.compiled.keys().next().value as string);
      this.compiled.set(key, policy);
    }
    return policy;
  }
}

/** The built-in default for a TEE without one: the verifier's appraisal decides. */
export const BUILT_IN_DEFAULT: PolicyRecord = { id: 'default', tee: '*', expression: 'verifier_status', isDefault: true, updatedAt: '1970-01-01T00:00:00.000Z' };

/** The policies to run: those named (each must exist), else the TEE's defaults, else the built-in one. */
export async function selectPolicies(store: Store, tee: string, ids: string[] | undefined): Promise<PolicyRecord[]> {
  if (ids && ids.length > 0) {
    const out: PolicyRecord[] = [];
    for (const id of ids) {
      if (id === BUILT_IN_DEFAULT.id) {
        out.push(BUILT_IN_DEFAULT);
        continue;
      }
      const p = await store.get<PolicyRecord>('policy', id);
      if (!p) throw new HttpError(400, 'CC_ERROR_BAD_PARAMETERS', `unknown policy id "${id}"`);
      out.push(p);
    }
    return out;
  }
  const defaults = (await store.list<PolicyRecord>('policy')).map((r) => r.value).filter((p) => p.isDefault && (p.tee === tee || p.tee === '*'));
  return defaults.length > 0 ? defaults : [BUILT_IN_DEFAULT];
}
