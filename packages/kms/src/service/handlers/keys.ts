/** Key lifecycle: create, describe, list, enable/disable, deletion windows, public keys. */
import { randomUUID } from 'node:crypto';
import { Exception, KmsError } from '../../common/kms-error.js';
import { isKeySpec, keyUsagesOf, type KeySpec } from '../../common/key-specs.js';
import { optionalInteger, optionalString, oneOf, requiredString } from '../../common/params.js';
import { pageOf, positionPart, readPage } from '../paging.js';
import type { KeyRow } from '../../store/kms-store.js';
import { authorize, keyArn, loadVersion, resolveKey } from '../key-access.js';
import { defaultKeyPolicy, evaluateKeyPolicy, parseKeyPolicy } from '../key-policy.js';
import type { RequestContext } from '../request-context.js';
import { keyMetadata, seconds } from './key-metadata.js';
import { readTags } from './tags-policy.js';
import type { HandlerTable, ServiceParts } from './types.js';

const DAY_MS = 24 * 3600 * 1000;

/** Resolves the request's KeyId, checks the key policy allows the operation, then authenticates. */
export async function managedKey(ctx: RequestContext, parts: ServiceParts, options: { allowAlias?: boolean } = {}): Promise<KeyRow> {
  const key = await resolveKey(parts, ctx.account, requiredString(ctx.params, 'KeyId'), options);
  ctx.audit.keyId = key.key_id;
  await authorize(ctx, parts.store, key);
  await ctx.authenticate();
  return key;
}

export const keyHandlers: HandlerTable = {
  async CreateKey(ctx, parts) {
    const spec = (optionalString(ctx.params, 'KeySpec', 64) ?? optionalString(ctx.params, 'CustomerMasterKeySpec', 64) ?? 'SYMMETRIC_DEFAULT') as KeySpec;
    if (!isKeySpec(spec)) throw new KmsError(Exception.Validation, `KeySpec ${String(spec)} is not supported`);
    const usage = oneOf(ctx.params, 'KeyUsage', ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC']) ?? keyUsagesOf(spec)[0];
    if (!keyUsagesOf(spec).includes(usage)) throw new KmsError(Exception.Validation, `KeyUsage ${usage} is not valid for KeySpec ${spec}`);
    const origin = optionalString(ctx.params, 'Origin', 32);
    if (origin !== undefined && origin !== 'AWS_KMS') throw new KmsError(Exception.UnsupportedOperation, 'only Origin AWS_KMS is supported: key material is made inside the enclave');
    if (ctx.params.MultiRegion === true) throw new KmsError(Exception.UnsupportedOperation, 'multi-Region keys are not supported');
    const description = optionalString(ctx.params, 'Description', 8192) ?? '';
    const policy = optionalString(ctx.params, 'Policy', 32768) ?? defaultKeyPolicy(ctx.account);
    const parsed = parseKeyPolicy(policy);
    const tags = readTags(ctx.params.Tags);
    if (ctx.params.BypassPolicyLockoutSafetyCheck !== true) {
      const probe = { principal: ctx.principal, account: ctx.account, action: 'kms:PutKeyPolicy', context: new Map() };
      if (evaluateKeyPolicy(parsed, probe) !== 'allow') {
        throw new KmsError(Exception.MalformedPolicyDocument, 'The new key policy will not allow you to update the key policy in the future.');
      }
    }
    await ctx.authenticate();
    const keyId = randomUUID();
    const now = parts.now();
    const generated = await parts.pool.generateKey({ keyId, tenant: ctx.account, spec, version: 1 });
    const row: KeyRow = {
      key_id: keyId, account: ctx.account, spec, usage, state: 'Enabled', description, created: now,
      deletion_date: null, pending_window_days: null, current_version: 1, rotation_enabled: 0, rotation_period_days: 365,
      next_rotation: null, policy,
    };
    await parts.store.insertKey(row, { key_id: keyId, version: 1, wrapped: generated.wrapped, public_key: generated.publicKey ?? null, created: now, rotation_type: 'INITIAL' });
    if (tags.length) await parts.store.setTags(keyId, tags);
    ctx.audit.keyId = keyId;
    return { KeyMetadata: keyMetadata(row, parts.region) };
  },

  async DescribeKey(ctx, parts) {
    const key = await managedKey(ctx, parts);
    return { KeyMetadata: keyMetadata(key, parts.region) };
  },

  async ListKeys(ctx, parts) {
    const scope = ['ListKeys', ctx.account];
    const page = await readPage(parts.store, ctx.params, scope, { max: 1000, defaultLimit: 100 });
    await ctx.authenticate();
    const after = page.after && { created: positionPart(page.after, 0, 'number'), keyId: positionPart(page.after, 1, 'string') };
    const rows = await parts.store.listKeys(ctx.account, page.limit + 1, after);
    const { items, ...more } = await pageOf(parts.store, scope, page, rows, (k) => [k.created, k.key_id]);
    return { Keys: items.map((k) => ({ KeyId: k.key_id, KeyArn: keyArn(parts.region, k.account, k.key_id) })), ...more };
  },

  async EnableKey(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    if (key.state === 'PendingDeletion') throw new KmsError(Exception.InvalidState, `${keyArn(parts.region, key.account, key.key_id)} is pending deletion.`);
    await parts.store.updateKey(key.key_id, { state: 'Enabled' });
    parts.invalidateKey(key.key_id);
    return {};
  },

  async DisableKey(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    if (key.state === 'PendingDeletion') throw new KmsError(Exception.InvalidState, `${keyArn(parts.region, key.account, key.key_id)} is pending deletion.`);
    await parts.store.updateKey(key.key_id, { state: 'Disabled' });
    parts.invalidateKey(key.key_id);
    return {};
  },

  async ScheduleKeyDeletion(ctx, parts) {
    const days = optionalInteger(ctx.params, 'PendingWindowInDays', 7, 30) ?? 30;
    const key = await managedKey(ctx, parts, { allowAlias: false });
    if (key.state === 'PendingDeletion') throw new KmsError(Exception.InvalidState, `${keyArn(parts.region, key.account, key.key_id)} is pending deletion.`);
    const deletionDate = parts.now() + days * DAY_MS;
    await parts.store.updateKey(key.key_id, { state: 'PendingDeletion', deletion_date: deletionDate, pending_window_days: days });
    parts.invalidateKey(key.key_id);
    return { KeyId: keyArn(parts.region, key.account, key.key_id), DeletionDate: seconds(deletionDate), KeyState: 'PendingDeletion', PendingWindowInDays: days };
  },

  async CancelKeyDeletion(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    if (key.state !== 'PendingDeletion') throw new KmsError(Exception.InvalidState, `${keyArn(parts.region, key.account, key.key_id)} is not pending deletion.`);
    // as in AWS, a key whose deletion is cancelled comes back disabled
    await parts.store.updateKey(key.key_id, { state: 'Disabled', deletion_date: null, pending_window_days: null });
    parts.invalidateKey(key.key_id);
    return { KeyId: keyArn(parts.region, key.account, key.key_id) };
  },

  async UpdateKeyDescription(ctx, parts) {
    const description = requiredString(ctx.params, 'Description', 8192);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    await parts.store.updateKey(key.key_id, { description });
    parts.invalidateKey(key.key_id);
    return {};
  },

  async GetPublicKey(ctx, parts) {
    const key = await managedKey(ctx, parts);
    if (key.state === 'Disabled') throw new KmsError(Exception.Disabled, `${keyArn(parts.region, key.account, key.key_id)} is disabled.`);
    if (key.state !== 'Enabled') throw new KmsError(Exception.InvalidState, `${keyArn(parts.region, key.account, key.key_id)} is pending deletion.`);
    const version = await parts.store.getKeyVersion(key.key_id, key.current_version);
    if (!version?.public_key) throw new KmsError(Exception.UnsupportedOperation, `${key.spec} keys have no public key`);
    const meta = keyMetadata(key, parts.region);
    return {
      KeyId: meta.Arn, PublicKey: version.public_key, CustomerMasterKeySpec: key.spec, KeySpec: key.spec, KeyUsage: key.usage,
      ...(meta.EncryptionAlgorithms ? { EncryptionAlgorithms: meta.EncryptionAlgorithms } : {}),
      ...(meta.SigningAlgorithms ? { SigningAlgorithms: meta.SigningAlgorithms } : {}),
    };
  },
};

export { loadVersion };
