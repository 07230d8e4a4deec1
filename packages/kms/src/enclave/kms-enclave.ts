/**
 * The EKMS enclave: holds the domain root key and does all key generation and every operation
 * that touches key material. The host gives it requests as received and wrapped records; it
 * gives back only wrapped material, public keys and the operations' results.
 */
import { defineEnclave, random } from 'secgear/enclave';
import { raTlsStreams } from 'secgear/ratls/enclave';
import type { JoinRequest, JoinServeConfig } from '../common/join-protocol.js';
import { joinCluster, serveJoins } from './cluster-join.js';
import { Exception, KmsError } from '../common/kms-error.js';
import type { EnclaveCall, EnclaveReply, EnclaveStart, EnclaveStarted, FreshnessNext, FreshnessStart, FreshnessStatement, GeneratedKey } from '../common/protocol.js';
import { nextFreshness, startFreshness } from './freshness.js';
import { isKeySpec } from '../common/key-specs.js';
import { authenticate, checkCall } from './authenticate.js';
import { generateMaterial } from './key-material.js';
import { OPERATIONS } from './operations.js';
import { RECIPIENT_FIELDS, sealForRecipient, verifyRecipient } from './recipient.js';
import { auditSeal, keyBinding, loadRootKey, secretBinding, wrap } from './root-key.js';

function toReply(error: unknown): EnclaveReply {
  if (error instanceof KmsError) return { ok: false, type: error.type, message: error.message };
  // anything else is a bug or a hostile record: say little, keep the enclave serving
  return { ok: false, type: Exception.Internal, message: 'internal error in the key service enclave' };
}

const isName = (v: unknown): v is string => typeof v === 'string' && /^[\x21-\x7e]{1,128}$/.test(v);

export const ecalls = {
  // the host relay's streams for node join over RA-TLS (cluster-join.ts)
  ...raTlsStreams.ecalls,

  async kmsStart(start: EnclaveStart): Promise<EnclaveStarted> {
    const sealed = start?.sealedRoot;
    if (sealed !== undefined && !(sealed instanceof Uint8Array)) throw new KmsError(Exception.Internal, 'sealedRoot must be bytes', 500);
    return loadRootKey(sealed);
  },

  /** Joins a cluster through an existing node's enclave instead of unsealing or making a root key. */
  kmsJoin(request: JoinRequest): Promise<EnclaveStarted> {
    return joinCluster(request);
  },

  /** Starts handing the root key to joining enclaves that prove themselves (after kmsStart or kmsJoin). */
  kmsJoinServe(config: JoinServeConfig): Promise<{ certificatePem: string }> {
    return serveJoins(config);
  },

  async kmsCall(call: EnclaveCall): Promise<EnclaveReply> {
    try {
      checkCall(call);
      const now = Date.now();
      const params = authenticate(call, now);
      const operation = !call.authenticateOnly && Object.hasOwn(OPERATIONS, call.operation) ? OPERATIONS[call.operation] : undefined;
      // operations without key material (DescribeKey, ListKeys, ...) need only the authentication
      if (!operation) return { ok: true, out: {} };
      if (params.Recipient === undefined || params.Recipient === null) return { ok: true, out: operation(params, call.keys) };
      if (!Object.hasOwn(RECIPIENT_FIELDS, call.operation)) throw new KmsError(Exception.Validation, `${call.operation} does not take a Recipient`);
      // verified before the operation runs, so a refused recipient never causes a decryption
      const recipient = await verifyRecipient(params.Recipient, now);
      try {
        const out = operation(params, call.keys);
        sealForRecipient(call.operation, out, recipient);
        return { ok: true, out, recipient: recipient.facts };
      } catch (error) {
        // the host authorizes on these facts before it reports the operation's own failure
        return { ...(toReply(error) as { ok: false; type: string; message: string }), recipient: recipient.facts };
      }
    } catch (error) {
      return toReply(error);
    }
  },

  kmsGenerateKey(key: { keyId: string; tenant: string; spec: string; version: number }): GeneratedKey {
    if (!key || !isName(key.keyId) || !isName(key.tenant) || !isKeySpec(key.spec) || !Number.isInteger(key.version) || key.version < 1) {
      throw new KmsError(Exception.Validation, 'kmsGenerateKey needs keyId, tenant, a known spec and a version from 1');
    }
    const { material, publicKey } = generateMaterial(key.spec);
    const wrapped = wrap(material, keyBinding(key.tenant, key.keyId, key.version, key.spec));
    material.fill(0);
    return publicKey ? { wrapped, publicKey } : { wrapped };
  },

  kmsAuditSeal(headHash: string): string {
    if (typeof headHash !== 'string' || !/^[0-9a-f]{64}$/.test(headHash)) throw new KmsError(Exception.Validation, 'kmsAuditSeal needs a SHA-256 hex digest');
    return auditSeal(headHash);
  },

  kmsFreshnessStart(start: FreshnessStart): { counter: number } {
    return startFreshness(start);
  },

  kmsFreshnessNext(request: FreshnessNext): FreshnessStatement {
    return nextFreshness(request);
  },

  kmsCreateAccessKeySecret(owner: { accessKeyId: string; tenant: string }): { secret: string; wrappedSecret: Uint8Array } {
    if (!owner || !isName(owner.accessKeyId) || !isName(owner.tenant)) throw new KmsError(Exception.Validation, 'kmsCreateAccessKeySecret needs accessKeyId and tenant');
    // 40 characters like AWS secret access keys
    const secret = Buffer.from(random(30)).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
    return { secret, wrappedSecret: wrap(new TextEncoder().encode(secret), secretBinding(owner.tenant, owner.accessKeyId)) };
  },
};

defineEnclave({ ecalls });
