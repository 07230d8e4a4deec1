/** Aliases: names for keys, per account. */
import { Exception, KmsError } from '../../common/kms-error.js';
import { optionalString, requiredString } from '../../common/params.js';
import { pageOf, positionPart, readPage } from '../paging.js';
import { aliasArn, authorize, resolveKey } from '../key-access.js';
import { seconds } from './key-metadata.js';
import type { HandlerTable } from './types.js';

function aliasName(params: Record<string, unknown>): string {
  const name = requiredString(params, 'AliasName', 256);
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw new KmsError(Exception.Validation, 'AliasName must be alias/ followed by letters, digits, /, _ or -');
  if (name.startsWith('alias/aws/')) throw new KmsError(Exception.InvalidAliasName, 'alias names beginning with alias/aws/ are reserved for AWS managed keys');
  return name;
}

export const aliasHandlers: HandlerTable = {
  async CreateAlias(ctx, parts) {
    const name = aliasName(ctx.params);
    const key = await resolveKey(parts, ctx.account, requiredString(ctx.params, 'TargetKeyId'), { allowAlias: false });
    ctx.audit.keyId = key.key_id;
    await authorize(ctx, parts.store, key);
    await ctx.authenticate();
    if (key.state === 'PendingDeletion') throw new KmsError(Exception.InvalidState, 'the target key is pending deletion');
    const now = parts.now();
    if (!(await parts.store.createAlias({ account: ctx.account, alias_name: name, key_id: key.key_id, created: now, updated: now }))) {
      throw new KmsError(Exception.AlreadyExists, `An alias with the name ${aliasArn(parts.region, ctx.account, name)} already exists`);
    }
    return {};
  },
  async UpdateAlias(ctx, parts) {
    const name = aliasName(ctx.params);
    const key = await resolveKey(parts, ctx.account, requiredString(ctx.params, 'TargetKeyId'), { allowAlias: false });
    ctx.audit.keyId = key.key_id;
    await authorize(ctx, parts.store, key);
    const current = await parts.store.getAlias(ctx.account, name);
    if (!current) throw new KmsError(Exception.NotFound, `Alias ${aliasArn(parts.region, ctx.account, name)} is not found.`);
    const old = await parts.store.getKey(current.key_id);
    if (old && (old.spec !== key.spec || old.usage !== key.usage)) throw new KmsError(Exception.Validation, 'an alias can only move to a key of the same key spec and usage');
    await ctx.authenticate();
    await parts.store.updateAlias(ctx.account, name, key.key_id, parts.now());
    return {};
  },
  async DeleteAlias(ctx, parts) {
    const name = aliasName(ctx.params);
    const current = await parts.store.getAlias(ctx.account, name);
    if (!current) throw new KmsError(Exception.NotFound, `Alias ${aliasArn(parts.region, ctx.account, name)} is not found.`);
    const key = await parts.store.getKey(current.key_id);
    if (key) await authorize(ctx, parts.store, key);
    await ctx.authenticate();
    await parts.store.deleteAlias(ctx.account, name);
    return {};
  },
  async ListAliases(ctx, parts) {
    const named = optionalString(ctx.params, 'KeyId');
    const key = named ? await resolveKey(parts, ctx.account, named, { allowAlias: false }) : undefined;
    const scope = ['ListAliases', ctx.account, key?.key_id ?? ''];
    const page = await readPage(parts.store, ctx.params, scope, { max: 100, defaultLimit: 50 });
    await ctx.authenticate();
    const after = page.after && positionPart(page.after, 0, 'string');
    const rows = await parts.store.listAliasesPage(ctx.account, key?.key_id, page.limit + 1, after);
    const { items, ...more } = await pageOf(parts.store, scope, page, rows, (a) => [a.alias_name]);
    return {
      Aliases: items.map((a) => ({
        AliasName: a.alias_name, AliasArn: aliasArn(parts.region, a.account, a.alias_name), TargetKeyId: a.key_id,
        CreationDate: seconds(a.created), LastUpdatedDate: seconds(a.updated),
      })),
      ...more,
    };
  },
};
