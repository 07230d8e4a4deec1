/** Whether a grant on the key gives the principal this operation under this encryption context. */
import type { KmsStore } from '../store/kms-store.js';

export interface GrantConstraints {
  EncryptionContextSubset?: Record<string, string>;
  EncryptionContextEquals?: Record<string, string>;
}

export function constraintsHold(constraints: GrantConstraints | null, context: Record<string, string>): boolean {
  if (!constraints) return true;
  if (constraints.EncryptionContextEquals) {
    const want = constraints.EncryptionContextEquals;
    if (Object.keys(want).length !== Object.keys(context).length) return false;
    if (Object.entries(want).some(([k, v]) => context[k] !== v)) return false;
  }
  if (constraints.EncryptionContextSubset) {
    if (Object.entries(constraints.EncryptionContextSubset).some(([k, v]) => context[k] !== v)) return false;
  }
  return true;
}

export async function grantAllows(store: KmsStore, keyId: string, principal: string, operation: string, context: Record<string, string>): Promise<boolean> {
  for (const grant of await store.listGrants(keyId)) {
    if (grant.grantee !== principal) continue;
    if (!(JSON.parse(grant.operations) as string[]).includes(operation)) continue;
    if (constraintsHold(grant.constraints ? (JSON.parse(grant.constraints) as GrantConstraints) : null, context)) return true;
  }
  return false;
}
