/**
 * One API request on the host: the caller's stored access key, the parameters, and the way to
 * the enclave. The enclave authenticates the request on the first call made through
 * `enclave()` or `authenticate()`; handlers make that call before they change anything, and
 * a request refused earlier is still authenticated before its error is returned (so
 * unauthenticated callers learn nothing about keys).
 */
import { createHash } from 'node:crypto';
import { encodeBase64 } from '../common/base64.js';
import { Exception, KmsError } from '../common/kms-error.js';
import type { Params } from '../common/params.js';
import type { OutValue, RecipientFacts, WrappedKeyVersion } from '../common/protocol.js';
import type { SignedRequest } from '../common/sigv4.js';
import { readRecipientFacts } from './recipient-conditions.js';
import type { EnclavePool } from '../host/enclave-pool.js';
import type { AccessKeyRow } from '../store/kms-store.js';

export interface AuditFacts {
  keyId?: string;
  context?: Record<string, string>;
  attestationDigest?: string;
}

export class RequestContext {
  authenticated = false;
  readonly audit: AuditFacts = {};
  /** What the enclave verified about the request's Recipient (attested key release). */
  recipient: RecipientFacts | undefined;
  /** Checks that need the enclave's answer first (key policies conditioned on a Recipient's evidence). */
  readonly #afterEnclave: Array<() => Promise<void>> = [];

  constructor(
    readonly operation: string,
    readonly params: Params,
    readonly request: SignedRequest,
    readonly caller: AccessKeyRow,
    private readonly pool: EnclavePool,
    private readonly region: string,
  ) {
    // the audit names the evidence of a Recipient even when the enclave refuses it
    const document = (params.Recipient as { AttestationDocument?: unknown } | null | undefined)?.AttestationDocument;
    if (typeof document === 'string') this.audit.attestationDigest = createHash('sha256').update(Buffer.from(document, 'base64')).digest('hex');
  }

  get account(): string {
    return this.caller.account;
  }

  get principal(): string {
    return this.caller.principal;
  }

  async #call(keys: WrappedKeyVersion[], authenticateOnly: boolean): Promise<Record<string, OutValue>> {
    const reply = await this.pool.call({
      operation: this.operation,
      request: this.request,
      caller: { accessKeyId: this.caller.access_key_id, tenant: this.caller.account, wrappedSecret: this.caller.wrapped_secret },
      keys,
      region: this.region,
      authenticateOnly,
    });
    if (!reply || typeof reply !== 'object') throw new KmsError(Exception.Internal, 'the enclave gave no answer', 500);
    if (!reply.ok) {
      const authError = ([Exception.InvalidSignature, Exception.IncompleteSignature, Exception.MissingAuthenticationToken, Exception.UnrecognizedClient] as string[]).includes(reply.type);
      if (!authError) this.authenticated = true;
      // the Recipient was verified but the operation failed: a caller the policy refuses learns
      // that, not whether its ciphertext was good
      if (reply.recipient !== undefined) await this.#runAfterEnclave(reply.recipient);
      throw new KmsError(String(reply.type), String(reply.message), reply.type === Exception.Internal ? 500 : 400);
    }
    this.authenticated = true;
    // a check that fails here drops the answer: it never leaves this process
    await this.#runAfterEnclave(reply.recipient);
    return reply.out;
  }

  async #runAfterEnclave(recipient: unknown): Promise<void> {
    if (recipient !== undefined) this.recipient = readRecipientFacts(recipient);
    for (const check of this.#afterEnclave.splice(0)) await check();
  }

  /** True when the request carries a Recipient: its evidence is verified by the enclave. */
  get hasRecipient(): boolean {
    return this.params.Recipient !== undefined && this.params.Recipient !== null;
  }

  /** Runs `check` once the enclave has answered, before the answer is used. */
  afterEnclave(check: () => Promise<void>): void {
    this.#afterEnclave.push(check);
  }

  /** Authenticates and carries out the operation's cryptography with these key versions. */
  enclave(keys: WrappedKeyVersion[]): Promise<Record<string, OutValue>> {
    return this.#call(keys, false);
  }

  /** Authenticates only (operations that need no key material). */
  async authenticate(): Promise<void> {
    if (!this.authenticated) await this.#call([], true);
  }
}

/** JSON of an answer: byte strings as standard base64. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return encodeBase64(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toJsonValue(v)]));
  return value;
}
