/** Grants: a key's permissions given to a principal for some operations, with context constraints. */
import { randomBytes } from 'node:crypto';
import { readEncryptionContext } from '../../common/encryption-context.js';
import { Exception, KmsError } from '../../common/kms-error.js';
import { optionalString, optionalStringList, requiredString } from '../../common/params.js';
import type { GrantRow } from '../../store/kms-store.js';
import { keyArn, resolveKey } from '../key-access.js';
import { pageOf, positionPart, readPage } from '../paging.js';
import { managedKey } from './keys.js';
import { seconds } from './key-metadata.js';
import type { GrantConstraints } from '../grant-check.js';
import type { HandlerTable } from './types.js';

export const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify',
  'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac', 'VerifyMac',
];

function readConstraints(value: unknown): GrantConstraints | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new KmsError(Exception.Validation, 'Constraints must be an object');
  const c = value as Record<string, unknown>;
  const out: GrantConstraints = {};
  if (c.EncryptionContextSubset !== undefined) out.EncryptionContextSubset = readEncryptionContext(c.EncryptionContextSubset, 'EncryptionContextSubset');
  if (c.EncryptionContextEquals !== undefined) out.EncryptionContextEquals = readEncryptionContext(c.EncryptionContextEquals, 'EncryptionContextEquals');
  return out;
}

function grantJson(row: GrantRow, region: string): Record<string, unknown> {
  return {
    KeyId: keyArn(region, row.account, row.key_id), GrantId: row.grant_id, Name: row.name ?? undefined, CreationDate: seconds(row.created),
    GranteePrincipal: row.grantee, RetiringPrincipal: row.retiring ?? undefined, IssuingAccount: `arn:aws:iam::${row.account}:root`,
    Operations: JSON.parse(row.operations) as string[], Constraints: row.constraints ? (JSON.parse(row.constraints) as unknown) : undefined,
  };
}

export const grantHandlers: HandlerTable = {
  async CreateGrant(ctx, parts) {
    const grantee = requiredString(ctx.params, 'GranteePrincipal', 256);
    const retiring = optionalString(ctx.params, 'RetiringPrincipal', 256);
    const operations = optionalStringList(ctx.params, 'Operations') ?? [];
    if (operations.length === 0 || operations.some((o) => !GRANT_OPERATIONS.includes(o))) {
      throw new KmsError(Exception.Validation, `Operations must list some of ${GRANT_OPERATIONS.join(', ')}`);
    }
    const constraints = readConstraints(ctx.params.Constraints);
    const name = optionalString(ctx.params, 'Name', 256);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    const row: GrantRow = {
      grant_id: randomBytes(32).toString('hex'), key_id: key.key_id, account: key.account, name: name ?? null, grantee, retiring: retiring ?? null,
      operations: JSON.stringify(operations), constraints: constraints ? JSON.stringify(constraints) : null,
      token: randomBytes(48).toString('base64url'), issuer: ctx.principal, created: parts.now(),
    };
    await parts.store.insertGrant(row);
    return { GrantId: row.grant_id, GrantToken: row.token };
  },
  async ListGrants(ctx, parts) {
    const grantId = optionalString(ctx.params, 'GrantId', 128);
    const grantee = optionalString(ctx.params, 'GranteePrincipal', 256);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    // the filters are part of the scope: a marker resumes only the listing it came from
    const scope = ['ListGrants', key.account, key.key_id, grantId ?? '', grantee ?? ''];
    const page = await readPage(parts.store, ctx.params, scope, { max: 100, defaultLimit: 50 });
    const after = page.after && { created: positionPart(page.after, 0, 'number'), grantId: positionPart(page.after, 1, 'string') };
    const rows = await parts.store.listGrantsPage(key.key_id, { grantId, grantee }, page.limit + 1, after);
    const { items, ...more } = await pageOf(parts.store, scope, page, rows, (g) => [g.created, g.grant_id]);
    return { Grants: items.map((g) => grantJson(g, parts.region)), ...more };
  },
  async RevokeGrant(ctx, parts) {
    const grantId = requiredString(ctx.params, 'GrantId', 128);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    const grant = await parts.store.getGrant(grantId);
    if (!grant || grant.key_id !== key.key_id) throw new KmsError(Exception.NotFound, `Grant ${grantId} is not found for this key`);
    await parts.store.deleteGrant(grantId);
    return {};
  },
  async RetireGrant(ctx, parts) {
    const token = optionalString(ctx.params, 'GrantToken', 8192);
    const grantId = optionalString(ctx.params, 'GrantId', 128);
    let grant: GrantRow | undefined;
    if (token) grant = await parts.store.getGrantByToken(token);
    else if (grantId) {
      const key = await resolveKey(parts, ctx.account, requiredString(ctx.params, 'KeyId'), { allowAlias: false });
      grant = await parts.store.getGrant(grantId);
      if (grant && grant.key_id !== key.key_id) grant = undefined;
    } else throw new KmsError(Exception.Validation, 'give GrantToken, or KeyId and GrantId');
    if (!grant || grant.account !== ctx.account) throw new KmsError(token ? Exception.InvalidGrantToken : Exception.NotFound, 'the grant is not found');
    ctx.audit.keyId = grant.key_id;
    // the retiring principal or the grantee may retire a grant (the grantee only when the grant allows RetireGrant)
    const operations = JSON.parse(grant.operations) as string[];
    if (grant.retiring !== ctx.principal && !(grant.grantee === ctx.principal && operations.includes('RetireGrant'))) {
      throw new KmsError(Exception.AccessDenied, `User: ${ctx.principal} is not the retiring principal of this grant`);
    }
    await ctx.authenticate();
    await parts.store.deleteGrant(grant.grant_id);
    return {};
  },
};
