/** Finding a tenant's key from any of the ways a request names it, and checking it may be used. */
import { Exception, KmsError } from '../common/kms-error.js';
import { encodeEncryptionContext } from '../common/encryption-context.js';
import type { WrappedKeyVersion } from '../common/protocol.js';
import type { KeySpec } from '../common/key-specs.js';
import type { KeyRow, KeyVersionRow, KmsStore } from '../store/kms-store.js';
import { evaluateKeyPolicy, parseKeyPolicy, type PolicyRequest } from './key-policy.js';
import type { RequestContext } from './request-context.js';
import { grantAllows } from './grant-check.js';
import { recipientConditions } from './recipient-conditions.js';

export const keyArn = (region: string, account: string, keyId: string) => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (region: string, account: string, alias: string) => `arn:aws:kms:${region}:${account}:${alias}`;

const KEY_ARN = /^arn:aws:kms:([^:]*):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws:kms:([^:]*):(\d{12}):(alias\/.+)$/;

export interface KeyLookup {
  store: KmsStore;
  region: string;
}

const notFound = (name: string) => new KmsError(Exception.NotFound, `Key '${name}' does not exist`);

/** Resolves a key id, key ARN, alias name or alias ARN within the caller's account. */
export async function resolveKey(lookup: KeyLookup, account: string, name: string, options: { allowAlias?: boolean } = {}): Promise<KeyRow> {
  let keyId: string | undefined;
  let alias: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = KEY_ARN.exec(name))) {
    if (m[2] !== account || m[1] !== lookup.region) throw notFound(name);
    keyId = m[3];
  } else if ((m = ALIAS_ARN.exec(name))) {
    if (m[2] !== account || m[1] !== lookup.region) throw notFound(name);
    alias = m[3];
  } else if (name.startsWith('alias/')) alias = name;
  else keyId = name;
  if (alias !== undefined) {
    if (options.allowAlias === false) throw new KmsError(Exception.Validation, 'this operation needs a key id or key ARN, not an alias');
    const row = await lookup.store.getAlias(account, alias);
    if (!row) throw new KmsError(Exception.NotFound, `Alias ${aliasArn(lookup.region, account, alias)} is not found.`);
    keyId = row.key_id;
  }
  const key = await lookup.store.getKey(keyId!);
  // another tenant's key is reported exactly like a missing one
  if (!key || key.account !== account) throw notFound(name);
  return key;
}

/** Refuses keys that are not Enabled, as AWS does for cryptographic operations. */
export function requireEnabled(key: KeyRow, region: string): void {
  const arn = keyArn(region, key.account, key.key_id);
  if (key.state === 'Disabled') throw new KmsError(Exception.Disabled, `${arn} is disabled.`);
  if (key.state !== 'Enabled') throw new KmsError(Exception.InvalidState, `${arn} is pending deletion.`);
}

export function requireUsage(key: KeyRow, usage: string, operation: string): void {
  if (key.usage !== usage) throw new KmsError(Exception.InvalidKeyUsage, `${operation} needs a key with KeyUsage ${usage}; this key's is ${key.usage}`);
}

export function wrappedVersion(key: KeyRow, version: KeyVersionRow): WrappedKeyVersion {
  return { keyId: key.key_id, tenant: key.account, spec: key.spec as KeySpec, version: version.version, wrapped: version.wrapped };
}

export async function loadVersion(store: KmsStore, key: KeyRow, version = key.current_version): Promise<WrappedKeyVersion> {
  const row = await store.getKeyVersion(key.key_id, version);
  if (!row) throw new KmsError(Exception.InvalidCiphertext, 'the ciphertext names a key version this key does not have');
  return wrappedVersion(key, row);
}

/**
 * Allows `kms:<operation>` on `key` for the caller by its key policy, or else by a grant;
 * `context` is the request's encryption context (for conditions and grant constraints).
 */
export async function authorize(ctx: RequestContext, store: KmsStore, key: KeyRow, context: Record<string, string> = {}, extra: Record<string, string> = {}): Promise<void> {
  const action = `kms:${ctx.operation}`;
  const conditions = new Map<string, string | string[]>([
    ['kms:calleraccount', ctx.account],
    ['aws:principalarn', ctx.principal],
    ['kms:keyspec', key.spec],
    ['kms:keyusage', key.usage],
    ['kms:encryptioncontextkeys', Object.keys(context)],
  ]);
  for (const [k, v] of Object.entries(context)) conditions.set(`kms:encryptioncontext:${k.toLowerCase()}`, v);
  for (const [k, v] of Object.entries(extra)) conditions.set(k.toLowerCase(), v);
  // set only from what the enclave verified (a request with a Recipient is authorized after the enclave answered)
  if (ctx.recipient) for (const [k, v] of recipientConditions(ctx.recipient)) conditions.set(k, v);
  const request: PolicyRequest = { principal: ctx.principal, account: ctx.account, action, context: conditions };
  const decision = evaluateKeyPolicy(parseKeyPolicy(key.policy), request);
  if (decision === 'allow') return;
  if (decision === 'none' && (await grantAllows(store, key.key_id, ctx.principal, ctx.operation, context))) return;
  throw new KmsError(Exception.AccessDenied, `User: ${ctx.principal} is not authorized to perform: ${action} on resource: ${key.key_id}`);
}

export { encodeEncryptionContext };
