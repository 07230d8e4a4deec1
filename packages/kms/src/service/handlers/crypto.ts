/** Operations that use key material: the host finds and checks the key, the enclave does the work. */
import { parseCiphertext } from '../../common/ciphertext-blob.js';
import { decodeBase64 } from '../../common/base64.js';
import { readEncryptionContext } from '../../common/encryption-context.js';
import { Exception, KmsError } from '../../common/kms-error.js';
import { isSymmetricEncryption } from '../../common/key-specs.js';
import { optionalString, requiredString } from '../../common/params.js';
import { authorize, keyArn, loadVersion, requireEnabled, requireUsage, resolveKey } from '../key-access.js';
import type { RequestContext } from '../request-context.js';
import type { HandlerTable, ServiceParts } from './types.js';

/** AWS's condition keys on a request's algorithm choices, so a key policy can, e.g., deny DIGEST signing. */
function algorithmConditions(ctx: RequestContext): Record<string, string> {
  const given = (name: string, otherwise: string) => (typeof ctx.params[name] === 'string' ? (ctx.params[name] as string) : otherwise);
  if (ctx.operation === 'Sign' || ctx.operation === 'Verify') return { 'kms:MessageType': given('MessageType', 'RAW'), 'kms:SigningAlgorithm': given('SigningAlgorithm', '') };
  if (ctx.operation === 'Encrypt' || ctx.operation === 'Decrypt') return { 'kms:EncryptionAlgorithm': given('EncryptionAlgorithm', 'SYMMETRIC_DEFAULT') };
  return {};
}

async function usableKey(ctx: RequestContext, parts: ServiceParts, name: string, usage: string, context: Record<string, string>) {
  const key = await resolveKey(parts, ctx.account, name);
  requireEnabled(key, parts.region);
  requireUsage(key, usage, ctx.operation);
  ctx.audit.keyId = key.key_id;
  // with a Recipient, the policy may condition on its evidence, which only the enclave verifies:
  // authorized when the enclave has answered, and its answer is dropped when that fails
  if (ctx.hasRecipient) ctx.afterEnclave(() => authorize(ctx, parts.store, key, context, algorithmConditions(ctx)));
  else await authorize(ctx, parts.store, key, context, algorithmConditions(ctx));
  return key;
}

/** The key a ciphertext needs: from the blob header for symmetric keys, else from KeyId. */
async function decryptionKey(ctx: RequestContext, parts: ServiceParts, blobField: string, keyField: string, context: Record<string, string>) {
  const blob = decodeBase64(ctx.params[blobField], blobField, { min: 1, max: 6144 });
  const named = optionalString(ctx.params, keyField);
  if (named) {
    const key = await usableKey(ctx, parts, named, 'ENCRYPT_DECRYPT', context);
    if (!isSymmetricEncryption(key.spec)) return { key, version: await loadVersion(parts.store, key) };
    const header = parseCiphertext(blob);
    if (header.keyId !== key.key_id) throw new KmsError(Exception.IncorrectKey, 'The key ID in the request does not identify a CMK that can perform this operation.');
    return { key, version: await loadVersion(parts.store, key, header.version) };
  }
  const header = parseCiphertext(blob);
  const key = await usableKey(ctx, parts, header.keyId, 'ENCRYPT_DECRYPT', context);
  return { key, version: await loadVersion(parts.store, key, header.version) };
}

function contextParam(ctx: RequestContext, name = 'EncryptionContext') {
  const context = readEncryptionContext(ctx.params[name], name);
  ctx.audit.context = context;
  return context;
}

const algorithm = (key: { spec: string }, given: unknown) => (typeof given === 'string' ? given : isSymmetricEncryption(key.spec) ? 'SYMMETRIC_DEFAULT' : undefined);

async function currentKeyOp(ctx: RequestContext, parts: ServiceParts, usage: string, withContext = true) {
  const key = await usableKey(ctx, parts, requiredString(ctx.params, 'KeyId'), usage, withContext ? contextParam(ctx) : {});
  const out = await ctx.enclave([await loadVersion(parts.store, key)]);
  return { key, out, KeyId: keyArn(parts.region, key.account, key.key_id) };
}

export const cryptoHandlers: HandlerTable = {
  async Encrypt(ctx, parts) {
    const { key, out, KeyId } = await currentKeyOp(ctx, parts, 'ENCRYPT_DECRYPT');
    return { KeyId, CiphertextBlob: out.CiphertextBlob, EncryptionAlgorithm: algorithm(key, ctx.params.EncryptionAlgorithm) };
  },
  async Decrypt(ctx, parts) {
    const { key, version } = await decryptionKey(ctx, parts, 'CiphertextBlob', 'KeyId', contextParam(ctx));
    const out = await ctx.enclave([version]);
    return { KeyId: keyArn(parts.region, key.account, key.key_id), Plaintext: out.Plaintext, CiphertextForRecipient: out.CiphertextForRecipient, EncryptionAlgorithm: algorithm(key, ctx.params.EncryptionAlgorithm) };
  },
  async ReEncrypt(ctx, parts) {
    const sourceContext = readEncryptionContext(ctx.params.SourceEncryptionContext, 'SourceEncryptionContext');
    ctx.audit.context = sourceContext;
    const source = await decryptionKey(ctx, parts, 'CiphertextBlob', 'SourceKeyId', sourceContext);
    const destinationContext = readEncryptionContext(ctx.params.DestinationEncryptionContext, 'DestinationEncryptionContext');
    const destination = await resolveKey(parts, ctx.account, requiredString(ctx.params, 'DestinationKeyId'));
    requireEnabled(destination, parts.region);
    requireUsage(destination, 'ENCRYPT_DECRYPT', 'ReEncrypt');
    await authorize(ctx, parts.store, destination, destinationContext);
    const out = await ctx.enclave([source.version, await loadVersion(parts.store, destination)]);
    return {
      CiphertextBlob: out.CiphertextBlob,
      SourceKeyId: keyArn(parts.region, source.key.account, source.key.key_id),
      KeyId: keyArn(parts.region, destination.account, destination.key_id),
      SourceEncryptionAlgorithm: algorithm(source.key, ctx.params.SourceEncryptionAlgorithm),
      DestinationEncryptionAlgorithm: algorithm(destination, ctx.params.DestinationEncryptionAlgorithm),
    };
  },
  async GenerateDataKey(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'ENCRYPT_DECRYPT');
    return { KeyId, CiphertextBlob: out.CiphertextBlob, Plaintext: out.Plaintext, CiphertextForRecipient: out.CiphertextForRecipient };
  },
  async GenerateDataKeyWithoutPlaintext(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'ENCRYPT_DECRYPT');
    return { KeyId, CiphertextBlob: out.CiphertextBlob };
  },
  async GenerateDataKeyPair(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'ENCRYPT_DECRYPT');
    return { KeyId, ...out };
  },
  async GenerateDataKeyPairWithoutPlaintext(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'ENCRYPT_DECRYPT');
    return { KeyId, ...out };
  },
  async GenerateRandom(ctx) {
    const out = await ctx.enclave([]);
    return { Plaintext: out.Plaintext, CiphertextForRecipient: out.CiphertextForRecipient };
  },
  async Sign(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'SIGN_VERIFY', false);
    return { KeyId, Signature: out.Signature, SigningAlgorithm: ctx.params.SigningAlgorithm };
  },
  async Verify(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'SIGN_VERIFY', false);
    return { KeyId, SignatureValid: out.SignatureValid === true, SigningAlgorithm: ctx.params.SigningAlgorithm };
  },
  async GenerateMac(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'GENERATE_VERIFY_MAC', false);
    return { KeyId, Mac: out.Mac, MacAlgorithm: ctx.params.MacAlgorithm };
  },
  async VerifyMac(ctx, parts) {
    const { out, KeyId } = await currentKeyOp(ctx, parts, 'GENERATE_VERIFY_MAC', false);
    return { KeyId, MacValid: out.MacValid === true, MacAlgorithm: ctx.params.MacAlgorithm };
  },
};
