/**
 * The cryptographic operations, inside the enclave. Each reads its parameters from the signed
 * request body (already authenticated) and uses the key versions the host supplied, after
 * checking they belong to the caller's tenant and are the ones the request names.
 */
import { constants, createCipheriv, createDecipheriv, createHmac, generateKeyPairSync, privateDecrypt, publicEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { random } from 'secgear/enclave';
import { BlobFormat, encodeHeader, IV_LENGTH, parseCiphertext, TAG_LENGTH } from '../common/ciphertext-blob.js';
import { decodeBase64 } from '../common/base64.js';
import { encodeEncryptionContext, readEncryptionContext } from '../common/encryption-context.js';
import { Exception, KmsError } from '../common/kms-error.js';
import { DATA_KEY_PAIR_SPECS, isSymmetricEncryption, RSA_ENCRYPTION_ALGORITHMS, signingAlgorithmsOf } from '../common/key-specs.js';
import { oneOf, optionalInteger, optionalString, type Params } from '../common/params.js';
import type { OutValue, WrappedKeyVersion } from '../common/protocol.js';
import { sm2Decrypt, sm2Encrypt } from './gm/sm2-encryption.js';
import { sm4Open, sm4Seal } from './gm/sm4-aead.js';
import { generateSm2Pair, toUsable, type UsableKey } from './key-material.js';
import { signMessage, verifyMessage, type SigningRequest } from './signing.js';
import { keyBinding, unwrap } from './root-key.js';

type Out = Record<string, OutValue>;
export type Operation = (params: Params, keys: WrappedKeyVersion[]) => Out;

function usable(record: WrappedKeyVersion): UsableKey {
  return unwrap(record.wrapped, keyBinding(record.tenant, record.keyId, record.version, record.spec), (m) => toUsable(record.spec, m));
}

function onlyKey(keys: WrappedKeyVersion[], index = 0): WrappedKeyVersion {
  const key = keys[index];
  if (!key) throw new KmsError(Exception.Internal, 'the host supplied no key for this operation', 500);
  return key;
}

function encryptSymmetric(record: WrappedKeyVersion, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
  const key = usable(record);
  if (key.kind === 'sm4') {
    const header = encodeHeader(record.keyId, record.version, BlobFormat.Sm4CtrHmacSm3);
    return Buffer.concat([header, sm4Seal(key.material, header, context, plaintext)]);
  }
  if (key.kind !== 'aes') throw new KmsError(Exception.InvalidKeyUsage, 'this key cannot encrypt');
  const header = encodeHeader(record.keyId, record.version);
  const iv = random(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.concat([header, context]));
  const first = cipher.update(plaintext);
  const last = cipher.final();
  const blob = new Uint8Array(header.length + IV_LENGTH + TAG_LENGTH + first.length + last.length);
  blob.set(header, 0);
  blob.set(iv, header.length);
  blob.set(cipher.getAuthTag(), header.length + IV_LENGTH);
  blob.set(first, header.length + IV_LENGTH + TAG_LENGTH);
  blob.set(last, header.length + IV_LENGTH + TAG_LENGTH + first.length);
  return blob;
}

function decryptSymmetric(record: WrappedKeyVersion, blob: Uint8Array, context: Uint8Array): Uint8Array {
  const parsed = parseCiphertext(blob);
  if (parsed.keyId !== record.keyId || parsed.version !== record.version) {
    throw new KmsError(Exception.IncorrectKey, 'the ciphertext was made by another key than the one given');
  }
  const key = usable(record);
  // the blob names its algorithm: it must be the key's
  if ((key.kind === 'sm4') !== (parsed.format === BlobFormat.Sm4CtrHmacSm3)) throw new KmsError(Exception.InvalidCiphertext, 'the ciphertext was not made with this key\'s algorithm');
  if (key.kind === 'sm4') {
    try {
      return sm4Open(key.material, parsed.header, context, parsed.iv, parsed.tag, parsed.ciphertext);
    } catch {
      throw new KmsError(Exception.InvalidCiphertext, 'the ciphertext does not decrypt: it was altered, or the encryption context differs from the one used to encrypt');
    }
  }
  if (key.kind !== 'aes') throw new KmsError(Exception.InvalidKeyUsage, 'this key cannot decrypt');
  const decipher = createDecipheriv('aes-256-gcm', key.key, parsed.iv);
  decipher.setAAD(Buffer.concat([parsed.header, context]));
  decipher.setAuthTag(parsed.tag);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]));
  } catch {
    throw new KmsError(Exception.InvalidCiphertext, 'the ciphertext does not decrypt: it was altered, or the encryption context differs from the one used to encrypt');
  }
}

const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', ...RSA_ENCRYPTION_ALGORITHMS, 'SM2PKE'];

function rsaOaep(params: Params): { padding: number; oaepHash: string } {
  const algorithm = oneOf(params, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
  if (!algorithm || algorithm === 'SYMMETRIC_DEFAULT' || algorithm === 'SM2PKE') throw new KmsError(Exception.InvalidKeyUsage, 'an RSA key needs EncryptionAlgorithm RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256');
  return { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' };
}

function requireSm2Pke(params: Params): void {
  const algorithm = oneOf(params, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
  if (algorithm !== 'SM2PKE') throw new KmsError(Exception.InvalidKeyUsage, 'an SM2 key needs EncryptionAlgorithm SM2PKE');
}

function encryptWith(record: WrappedKeyVersion, params: Params, plaintext: Uint8Array, context: Uint8Array): Uint8Array {
  if (isSymmetricEncryption(record.spec)) {
    const algorithm = oneOf(params, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
    if (algorithm && algorithm !== 'SYMMETRIC_DEFAULT') throw new KmsError(Exception.InvalidKeyUsage, `a symmetric key does not support ${algorithm}`);
    return encryptSymmetric(record, plaintext, context);
  }
  const key = usable(record);
  if (key.kind === 'sm2') {
    requireSm2Pke(params);
    if (Object.keys(readEncryptionContext(params.EncryptionContext)).length > 0) throw new KmsError(Exception.Validation, 'asymmetric keys do not take an encryption context');
    // AWS: at most 1024 bytes of plaintext for SM2PKE
    if (plaintext.length > 1024) throw new KmsError(Exception.Validation, 'SM2PKE encrypts at most 1024 bytes');
    return sm2Encrypt(key.point, plaintext);
  }
  if (key.kind !== 'private' || !record.spec.startsWith('RSA_')) throw new KmsError(Exception.InvalidKeyUsage, `a ${record.spec} key cannot encrypt`);
  if (Object.keys(readEncryptionContext(params.EncryptionContext)).length > 0) throw new KmsError(Exception.Validation, 'asymmetric keys do not take an encryption context');
  try {
    return new Uint8Array(publicEncrypt({ key: key.publicKey, ...rsaOaep(params) }, plaintext));
  } catch (error) {
    if (error instanceof KmsError) throw error;
    throw new KmsError(Exception.Validation, 'the plaintext is too long for this RSA key and padding');
  }
}

function decryptWith(record: WrappedKeyVersion, params: Params, blob: Uint8Array, context: Uint8Array): Uint8Array {
  if (isSymmetricEncryption(record.spec)) return decryptSymmetric(record, blob, context);
  const key = usable(record);
  if (key.kind === 'sm2') {
    requireSm2Pke(params);
    try {
      return sm2Decrypt(key.d, blob);
    } catch {
      throw new KmsError(Exception.InvalidCiphertext, 'the ciphertext does not decrypt with this SM2 key');
    }
  }
  if (key.kind !== 'private' || !record.spec.startsWith('RSA_')) throw new KmsError(Exception.InvalidKeyUsage, `a ${record.spec} key cannot decrypt`);
  try {
    return new Uint8Array(privateDecrypt({ key: key.key, ...rsaOaep(params) }, blob));
  } catch (error) {
    if (error instanceof KmsError) throw error;
    throw new KmsError(Exception.InvalidCiphertext, 'the ciphertext does not decrypt with this key and algorithm');
  }
}

const contextOf = (params: Params, name = 'EncryptionContext') => encodeEncryptionContext(readEncryptionContext(params[name], name));

function dataKeyLength(params: Params): number {
  const spec = oneOf(params, 'KeySpec', ['AES_256', 'AES_128']);
  const count = optionalInteger(params, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (count === undefined)) throw new KmsError(Exception.Validation, 'give exactly one of KeySpec and NumberOfBytes');
  return count ?? (spec === 'AES_128' ? 16 : 32);
}

function dataKey(params: Params, keys: WrappedKeyVersion[], withPlaintext: boolean): Out {
  const record = onlyKey(keys);
  if (!isSymmetricEncryption(record.spec)) throw new KmsError(Exception.InvalidKeyUsage, 'data keys are made under symmetric keys only');
  const plaintext = random(dataKeyLength(params));
  const out: Out = { CiphertextBlob: encryptSymmetric(record, plaintext, contextOf(params)) };
  if (withPlaintext) out.Plaintext = plaintext;
  else plaintext.fill(0);
  return out;
}

const PAIR_CURVES: Record<string, string> = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1' };

function dataKeyPair(params: Params, keys: WrappedKeyVersion[], withPlaintext: boolean): Out {
  const record = onlyKey(keys);
  if (!isSymmetricEncryption(record.spec)) throw new KmsError(Exception.InvalidKeyUsage, 'data key pairs are protected by symmetric keys only');
  const spec = oneOf(params, 'KeyPairSpec', DATA_KEY_PAIR_SPECS);
  if (!spec) throw new KmsError(Exception.Validation, 'KeyPairSpec is required');
  let privateDer: Uint8Array;
  let publicDer: Uint8Array;
  if (spec === 'SM2') {
    ({ material: privateDer, publicKey: publicDer } = generateSm2Pair() as { material: Uint8Array; publicKey: Uint8Array });
  } else {
    const pair = spec.startsWith('RSA_')
      ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) })
      : generateKeyPairSync('ec', { namedCurve: PAIR_CURVES[spec] });
    privateDer = new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    publicDer = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
  }
  const out: Out = {
    KeyPairSpec: spec,
    PublicKey: publicDer,
    PrivateKeyCiphertextBlob: encryptSymmetric(record, privateDer, contextOf(params)),
  };
  if (withPlaintext) out.PrivateKeyPlaintext = privateDer;
  else privateDer.fill(0);
  return out;
}

function signingInput(record: WrappedKeyVersion, params: Params): { key: UsableKey; request: SigningRequest } {
  const algorithm = optionalString(params, 'SigningAlgorithm', 64);
  if (!algorithm || !signingAlgorithmsOf(record.spec).includes(algorithm)) {
    throw new KmsError(Exception.InvalidKeyUsage, `SigningAlgorithm must be one of ${signingAlgorithmsOf(record.spec).join(', ') || '(none: this key does not sign)'}`);
  }
  const messageType = oneOf(params, 'MessageType', ['RAW', 'DIGEST']) ?? 'RAW';
  const message = decodeBase64(params.Message, 'Message', { min: 1, max: 4096 });
  const key = usable(record);
  if (key.kind !== 'private' && key.kind !== 'sm2') throw new KmsError(Exception.InvalidKeyUsage, 'this key does not sign');
  return { key, request: { spec: record.spec, algorithm, messageType, message } };
}

function macInput(record: WrappedKeyVersion, params: Params): { key: KeyObject; hash: string; message: Uint8Array } {
  const algorithm = optionalString(params, 'MacAlgorithm', 64);
  const key = usable(record);
  if (key.kind !== 'hmac') throw new KmsError(Exception.InvalidKeyUsage, 'this key does not make MACs');
  if (algorithm !== `HMAC_SHA_${key.bits}`) throw new KmsError(Exception.InvalidKeyUsage, `MacAlgorithm must be HMAC_SHA_${key.bits} for this key`);
  return { key: key.key, hash: `sha${key.bits === 224 ? '224' : key.bits}`, message: decodeBase64(params.Message, 'Message', { min: 1, max: 4096 }) };
}

export const OPERATIONS: Record<string, Operation> = {
  Encrypt(params, keys) {
    const plaintext = decodeBase64(params.Plaintext, 'Plaintext', { min: 1, max: 4096 });
    return { CiphertextBlob: encryptWith(onlyKey(keys), params, plaintext, contextOf(params)) };
  },
  Decrypt(params, keys) {
    const blob = decodeBase64(params.CiphertextBlob, 'CiphertextBlob', { min: 1, max: 6144 });
    return { Plaintext: decryptWith(onlyKey(keys), params, blob, contextOf(params)) };
  },
  ReEncrypt(params, keys) {
    const blob = decodeBase64(params.CiphertextBlob, 'CiphertextBlob', { min: 1, max: 6144 });
    const sourceParams = { EncryptionAlgorithm: params.SourceEncryptionAlgorithm };
    const plaintext = decryptWith(onlyKey(keys, 0), sourceParams, blob, contextOf(params, 'SourceEncryptionContext'));
    const destinationParams = { EncryptionAlgorithm: params.DestinationEncryptionAlgorithm, EncryptionContext: params.DestinationEncryptionContext };
    const out = encryptWith(onlyKey(keys, 1), destinationParams, plaintext, contextOf(params, 'DestinationEncryptionContext'));
    plaintext.fill(0);
    return { CiphertextBlob: out };
  },
  GenerateDataKey: (params, keys) => dataKey(params, keys, true),
  GenerateDataKeyWithoutPlaintext: (params, keys) => dataKey(params, keys, false),
  GenerateDataKeyPair: (params, keys) => dataKeyPair(params, keys, true),
  GenerateDataKeyPairWithoutPlaintext: (params, keys) => dataKeyPair(params, keys, false),
  GenerateRandom(params) {
    const count = optionalInteger(params, 'NumberOfBytes', 1, 1024);
    if (count === undefined) throw new KmsError(Exception.Validation, 'NumberOfBytes is required (1 to 1024)');
    return { Plaintext: random(count) };
  },
  Sign(params, keys) {
    const { key, request } = signingInput(onlyKey(keys), params);
    return { Signature: signMessage(key, request) };
  },
  Verify(params, keys) {
    const { key, request } = signingInput(onlyKey(keys), params);
    const signature = decodeBase64(params.Signature, 'Signature', { min: 1, max: 6144 });
    if (!verifyMessage(key, request, signature)) {
      throw new KmsError(Exception.KmsInvalidSignature, 'the signature does not verify with this key and algorithm');
    }
    return { SignatureValid: true };
  },
  GenerateMac(params, keys) {
    const { key, hash, message } = macInput(onlyKey(keys), params);
    return { Mac: new Uint8Array(createHmac(hash, key).update(message).digest()) };
  },
  VerifyMac(params, keys) {
    const { key, hash, message } = macInput(onlyKey(keys), params);
    const given = decodeBase64(params.Mac, 'Mac', { min: 1, max: 6144 });
    const expected = createHmac(hash, key).update(message).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new KmsError(Exception.KmsInvalidMac, 'the MAC does not verify with this key');
    return { MacValid: true };
  },
};
