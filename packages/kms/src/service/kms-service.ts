/**
 * EKMS on the host: takes an AWS KMS JSON request as received, finds the stored records it
 * needs, has the enclave authenticate it and do its cryptography, keeps the records, and
 * writes the audit log. Timers: deletion windows ending and automatic rotations.
 */
import { randomBytes } from 'node:crypto';
import { Exception, KmsError } from '../common/kms-error.js';
import { parseBody } from '../common/params.js';
import { parseAuthorization, headerValue, type SignedRequest } from '../common/sigv4.js';
import type { EnclavePool } from '../host/enclave-pool.js';
import type { AccessKeyRow, KmsStore, TenantRow } from '../store/kms-store.js';
import type { AuditLog } from '../audit/audit-log.js';
import { aliasHandlers } from './handlers/aliases.js';
import { cryptoHandlers } from './handlers/crypto.js';
import { grantHandlers } from './handlers/grants.js';
import { keyHandlers } from './handlers/keys.js';
import { rotateKey, rotationHandlers } from './handlers/rotation.js';
import { tagPolicyHandlers } from './handlers/tags-policy.js';
import type { HandlerTable, ServiceParts } from './handlers/types.js';
import { RequestContext, toJsonValue } from './request-context.js';
import { encodeEncryptionContext } from '../common/encryption-context.js';
import { createHash } from 'node:crypto';

export const HANDLERS: HandlerTable = { ...keyHandlers, ...cryptoHandlers, ...aliasHandlers, ...rotationHandlers, ...tagPolicyHandlers, ...grantHandlers };
export const OPERATION_NAMES = Object.keys(HANDLERS).sort();

export interface KmsServiceOptions {
  store: KmsStore;
  pool: EnclavePool;
  /** Region in ARNs and the SigV4 scope. Default us-east-1. */
  region?: string;
  /** Epoch milliseconds (tests move it). Default Date.now. */
  clock?: () => number;
  audit?: AuditLog;
  /** Called after a state change that has no audit record (admin writes, maintenance): rollback protection commits its counter. */
  onStateChange?: () => Promise<void>;
}

export interface CallOutcome {
  status: number;
  body: Record<string, unknown>;
  operation: string;
  error?: string;
}

export class KmsService {
  readonly store: KmsStore;
  readonly pool: EnclavePool;
  readonly region: string;
  readonly audit: AuditLog | undefined;
  readonly #parts: ServiceParts;
  readonly #onStateChange: () => Promise<void>;

  constructor(options: KmsServiceOptions) {
    this.store = options.store;
    this.pool = options.pool;
    this.region = options.region ?? 'us-east-1';
    this.audit = options.audit;
    this.#onStateChange = options.onStateChange ?? (async () => undefined);
    const clock = options.clock ?? Date.now;
    this.#parts = { store: this.store, pool: this.pool, region: this.region, now: clock, invalidateKey: () => undefined };
  }

  get now(): number {
    return this.#parts.now();
  }

  /** Serves one API request; never throws (errors become the API's error answers). */
  async handle(request: SignedRequest): Promise<CallOutcome> {
    const target = headerValue(request.headers, 'x-amz-target') ?? '';
    const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
    let ctx: RequestContext | undefined;
    try {
      const handler = Object.hasOwn(HANDLERS, operation) ? HANDLERS[operation] : undefined;
      if (!handler) throw new KmsError('UnknownOperationException', target ? `unknown operation ${target}` : 'X-Amz-Target must name TrentService.<Operation>');
      const auth = parseAuthorization(headerValue(request.headers, 'authorization'));
      const caller = await this.store.getAccessKey(auth.accessKeyId);
      if (!caller || caller.revoked !== null) throw new KmsError(Exception.UnrecognizedClient, 'The security token included in the request is invalid.');
      ctx = new RequestContext(operation, parseBody(request.body), request, caller, this.pool, this.region);
      let result: Record<string, unknown>;
      try {
        result = await handler(ctx, this.#parts);
        if (!ctx.authenticated) throw new KmsError(Exception.Internal, `${operation} finished without authenticating the request`, 500);
      } catch (error) {
        // a request refused before it reached the enclave is still authenticated first
        if (!ctx.authenticated) await ctx.authenticate();
        throw error;
      }
      const outcome = { status: 200, body: toJsonValue(result) as Record<string, unknown>, operation };
      await this.#audit(ctx, outcome);
      return outcome;
    } catch (error) {
      const e = error instanceof KmsError ? error : new KmsError(Exception.Internal, 'internal error', 500);
      const outcome = { status: e.status, body: { __type: e.type, message: e.message }, operation: operation || 'unknown', error: e.type };
      if (ctx?.authenticated) await this.#audit(ctx, outcome).catch(() => undefined);
      if (!(error instanceof KmsError)) outcome.body.message = 'internal error; the server log has the details';
      if (!(error instanceof KmsError)) (outcome as { cause?: unknown }).cause = error;
      return outcome;
    }
  }

  async #audit(ctx: RequestContext, outcome: CallOutcome): Promise<void> {
    if (!this.audit) return;
    await this.audit.append({
      time: this.now,
      account: ctx.account,
      principal: ctx.principal,
      accessKeyId: ctx.caller.access_key_id,
      operation: ctx.operation,
      keyId: ctx.audit.keyId ?? null,
      contextDigest: ctx.audit.context && Object.keys(ctx.audit.context).length ? createHash('sha256').update(encodeEncryptionContext(ctx.audit.context)).digest('hex') : null,
      result: outcome.error ?? 'Success',
      attestationDigest: ctx.audit.attestationDigest ?? null,
    });
  }

  /** Ends deletion windows that are over and rotates keys that are due; returns what it did. */
  async sweep(): Promise<{ deleted: string[]; rotated: string[] }> {
    const now = this.now;
    const deleted: string[] = [];
    for (const key of await this.store.keysDueForDeletion(now)) {
      await this.store.deleteKey(key.key_id);
      deleted.push(key.key_id);
    }
    const rotated: string[] = [];
    for (const key of await this.store.keysDueForRotation(now)) {
      if (await rotateKey(this.#parts, key, 'AUTOMATIC')) rotated.push(key.key_id);
    }
    if (deleted.length || rotated.length) await this.#onStateChange();
    return { deleted, rotated };
  }

  // administration (the admin API; not reachable with tenant credentials)

  async createTenant(name: string): Promise<TenantRow> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new KmsError(Exception.Validation, 'a tenant name is 1-64 letters, digits, ".", "_" or "-"');
    if (await this.store.getTenant(name)) throw new KmsError(Exception.AlreadyExists, `tenant ${name} exists`);
    // 12 digits like an AWS account id
    const account = String(100000000000 + (randomBytes(6).readUIntBE(0, 6) % 900000000000));
    const row = { account, name, created: this.now };
    await this.store.createTenant(row);
    await this.#onStateChange();
    return row;
  }

  async createAccessKey(tenant: string, user = 'ekms-user'): Promise<{ accessKeyId: string; secretAccessKey: string; account: string; principal: string }> {
    if (!/^[A-Za-z0-9+=,.@_-]{1,64}$/.test(user)) throw new KmsError(Exception.Validation, 'a user name is 1-64 characters of A-Z a-z 0-9 +=,.@_-');
    const row = await this.store.getTenant(tenant);
    if (!row) throw new KmsError(Exception.NotFound, `no tenant ${tenant}`);
    const accessKeyId = `AKEK${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
    const { secret, wrappedSecret } = await this.pool.createAccessKeySecret({ accessKeyId, tenant: row.account });
    const principal = `arn:aws:iam::${row.account}:user/${user}`;
    const key: AccessKeyRow = { access_key_id: accessKeyId, account: row.account, principal, wrapped_secret: wrappedSecret, created: this.now, revoked: null };
    await this.store.insertAccessKey(key);
    await this.#onStateChange();
    return { accessKeyId, secretAccessKey: secret, account: row.account, principal };
  }

  async revokeAccessKey(accessKeyId: string): Promise<void> {
    if (!(await this.store.revokeAccessKey(accessKeyId, this.now))) throw new KmsError(Exception.NotFound, `no active access key ${accessKeyId}`);
    await this.#onStateChange();
  }
}
