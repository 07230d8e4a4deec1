/**
 * `@secgear/attestation`: the attestation service. Verifies evidence from any TEE through the
 * unified verifier (`secgear/attest`), appraises it with CEL policies over the normalized
 * claims and reference values, issues EAR tokens as signed JWTs and releases resources to
 * callers whose tokens satisfy the resource's policies. Attesters and relying parties use
 * `secgear/agent`.
 */
export { createAttestationService, type AttestationService } from './service.js';
export type { AttestationServiceOptions } from './options.js';
export type { ServiceContext } from './context.js';
export { SqliteStore } from './store/sqlite.js';
export { PostgresStore } from './store/postgres.js';
export type { Store, ChallengeRecord, RecordKind } from './store/types.js';
export { compilePolicy, MAX_POLICY_SOURCE, type CompiledPolicy, type PolicyOutcome } from './policy/cel.js';
export { createSigningKey, TOKEN_ALGORITHMS, type TokenAlgorithm, type SigningKey } from './signing.js';
