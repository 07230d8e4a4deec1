/** Tags and the key policy document. */
import { Exception, KmsError } from '../../common/kms-error.js';
import { optionalString, optionalStringList, requiredString } from '../../common/params.js';
import { evaluateKeyPolicy, parseKeyPolicy } from '../key-policy.js';
import { pageOf, positionPart, readPage } from '../paging.js';
import { managedKey } from './keys.js';
import type { HandlerTable } from './types.js';

export function readTags(value: unknown): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 50) throw new KmsError(Exception.Tag, 'Tags must be a list of at most 50 {TagKey, TagValue}');
  return value.map((t) => {
    const tag = t as { TagKey?: unknown; TagValue?: unknown };
    if (typeof tag?.TagKey !== 'string' || typeof tag.TagValue !== 'string' || tag.TagKey.length < 1 || tag.TagKey.length > 128 || tag.TagValue.length > 256) {
      throw new KmsError(Exception.Tag, 'each tag needs TagKey (1-128 characters) and TagValue (0-256 characters)');
    }
    if (tag.TagKey.startsWith('aws:')) throw new KmsError(Exception.Tag, 'tag keys beginning with aws: are reserved');
    return [tag.TagKey, tag.TagValue];
  });
}

function policyName(params: Record<string, unknown>): void {
  const name = optionalString(params, 'PolicyName', 128) ?? 'default';
  if (name !== 'default') throw new KmsError(Exception.NotFound, 'the only key policy name is "default"');
}

export const tagPolicyHandlers: HandlerTable = {
  async TagResource(ctx, parts) {
    const tags = readTags(ctx.params.Tags);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    await parts.store.setTags(key.key_id, tags);
    return {};
  },
  async UntagResource(ctx, parts) {
    const names = optionalStringList(ctx.params, 'TagKeys') ?? [];
    const key = await managedKey(ctx, parts, { allowAlias: false });
    await parts.store.removeTags(key.key_id, names);
    return {};
  },
  async ListResourceTags(ctx, parts) {
    const key = await managedKey(ctx, parts, { allowAlias: false });
    const scope = ['ListResourceTags', key.account, key.key_id];
    const page = await readPage(parts.store, ctx.params, scope, { max: 50, defaultLimit: 50 });
    const after = page.after && positionPart(page.after, 0, 'string');
    const rows = await parts.store.listTagsPage(key.key_id, page.limit + 1, after);
    const { items, ...more } = await pageOf(parts.store, scope, page, rows, (t) => [t.tag_key]);
    return { Tags: items.map((t) => ({ TagKey: t.tag_key, TagValue: t.tag_value })), ...more };
  },
  async GetKeyPolicy(ctx, parts) {
    policyName(ctx.params);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    return { Policy: key.policy, PolicyName: 'default' };
  },
  async PutKeyPolicy(ctx, parts) {
    policyName(ctx.params);
    const text = requiredString(ctx.params, 'Policy', 32768);
    const policy = parseKeyPolicy(text);
    const key = await managedKey(ctx, parts, { allowAlias: false });
    if (ctx.params.BypassPolicyLockoutSafetyCheck !== true) {
      const probe = { principal: ctx.principal, account: ctx.account, action: 'kms:PutKeyPolicy', context: new Map() };
      if (evaluateKeyPolicy(policy, probe) !== 'allow') {
        throw new KmsError(Exception.MalformedPolicyDocument, 'The new key policy will not allow you to update the key policy in the future.');
      }
    }
    await parts.store.updateKey(key.key_id, { policy: text });
    parts.invalidateKey(key.key_id);
    return {};
  },
};
