/**
 * Key rotation: a new key version made in the enclave becomes current; older versions stay,
 * so ciphertexts made before still decrypt (the blob names its version).
 */
import { Exception, KmsError } from '../../common/kms-error.js';
import { isSymmetricEncryption, type KeySpec } from '../../common/key-specs.js';
import { optionalInteger } from '../../common/params.js';
import type { KeyRow } from '../../store/kms-store.js';
import { keyArn } from '../key-access.js';
import { pageOf, positionPart, readPage } from '../paging.js';
import { managedKey } from './keys.js';
import { seconds } from './key-metadata.js';
import type { HandlerTable, ServiceParts } from './types.js';

const DAY_MS = 24 * 3600 * 1000;

function requireRotatable(key: KeyRow, region: string): void {
  if (!isSymmetricEncryption(key.spec)) throw new KmsError(Exception.UnsupportedOperation, `${keyArn(region, key.account, key.key_id)} is not a symmetric encryption key: only those rotate`);
  if (key.state === 'Disabled') throw new KmsError(Exception.Disabled, `${keyArn(region, key.account, key.key_id)} is disabled.`);
  if (key.state !== 'Enabled') throw new KmsError(Exception.InvalidState, `${keyArn(region, key.account, key.key_id)} is pending deletion.`);
}

/** Makes the next version of a key current; false when another node rotated it at the same moment. */
export async function rotateKey(parts: ServiceParts, key: KeyRow, type: 'AUTOMATIC' | 'ON_DEMAND'): Promise<boolean> {
  const version = key.current_version + 1;
  const generated = await parts.pool.generateKey({ keyId: key.key_id, tenant: key.account, spec: key.spec as KeySpec, version });
  const now = parts.now();
  const next = key.rotation_enabled ? { next_rotation: now + key.rotation_period_days * DAY_MS } : {};
  const done = await parts.store.addKeyVersion({ key_id: key.key_id, version, wrapped: generated.wrapped, public_key: null, created: now, rotation_type: type }, next);
  parts.invalidateKey(key.key_id);
  return done;
}

export const rotationHandlers: HandlerTable = {
  async EnableKeyRotation(ctx, parts) {
    const days = optionalInteger(ctx.params, 'RotationPeriodInDays', 90, 2560) ?? 365;
    const key = await managedKey(ctx, parts, { allowAlias: false });
    requireRotatable(key, parts.region);
    await parts.store.updateKey(key.key_id, { rotation_enabled: 1, rotation_period_days: days, next_rotation: parts.now() + days * DAY_MS });
    parts.invalidateKey(key.key_id);
    return {};
  },
  async DisableKeyRotation(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    requireRotatable(key, parts.region);
    await parts.store.updateKey(key.key_id, { rotation_enabled: 0, next_rotation: null });
    parts.invalidateKey(key.key_id);
    return {};
  },
  async GetKeyRotationStatus(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    const out: Record<string, unknown> = { KeyId: keyArn(parts.region, key.account, key.key_id), KeyRotationEnabled: key.rotation_enabled === 1 };
    if (key.rotation_enabled) {
      out.RotationPeriodInDays = key.rotation_period_days;
      if (key.next_rotation !== null) out.NextRotationDate = seconds(key.next_rotation);
    }
    return out;
  },
  async RotateKeyOnDemand(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    requireRotatable(key, parts.region);
    if (!(await rotateKey(parts, key, 'ON_DEMAND'))) throw new KmsError('ConflictException', 'the key was rotated by another request at the same time; try again');
    return { KeyId: keyArn(parts.region, key.account, key.key_id) };
  },
  async ListKeyRotations(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    const scope = ['ListKeyRotations', key.account, key.key_id];
    const page = await readPage(parts.store, ctx.params, scope, { max: 1000, defaultLimit: 100 });
    const after = page.after && positionPart(page.after, 0, 'number');
    const rows = await parts.store.listRotations(key.key_id, page.limit + 1, after);
    const { items, ...more } = await pageOf(parts.store, scope, page, rows, (v) => [v.version]);
    return {
      Rotations: items.map((v) => ({ KeyId: keyArn(parts.region, key.account, key.key_id), RotationDate: seconds(v.created), RotationType: v.rotation_type })),
      ...more,
    };
  },
};
