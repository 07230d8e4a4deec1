/** Key specs, usages and algorithms, with the AWS names the SDK sends. */
export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048', 'RSA_3072', 'RSA_4096',
  'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_SECG_P256K1',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512',
  // ShangMi: SM2 is AWS's own name (China Regions); SM4 is ours, AWS has no SM4 key spec
  'SM2', 'SM4',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC';

export const isKeySpec = (value: unknown): value is KeySpec => typeof value === 'string' && (KEY_SPECS as readonly string[]).includes(value);

/** Keys that encrypt with a ciphertext blob naming key and version (AES-256-GCM or SM4). */
export const isSymmetricEncryption = (spec: string): boolean => spec === 'SYMMETRIC_DEFAULT' || spec === 'SM4';

export function keyUsagesOf(spec: KeySpec): KeyUsage[] {
  if (isSymmetricEncryption(spec)) return ['ENCRYPT_DECRYPT'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec.startsWith('ECC_')) return ['SIGN_VERIFY'];
  return ['GENERATE_VERIFY_MAC'];
}

export const RSA_ENCRYPTION_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

export function signingAlgorithmsOf(spec: KeySpec): string[] {
  if (spec.startsWith('RSA_')) {
    return ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'];
  }
  if (spec === 'SM2') return ['SM2DSA'];
  if (spec === 'ECC_NIST_P384') return ['ECDSA_SHA_384'];
  if (spec.startsWith('ECC_')) return ['ECDSA_SHA_256'];
  return [];
}

export function macAlgorithmsOf(spec: KeySpec): string[] {
  return spec.startsWith('HMAC_') ? [`HMAC_SHA_${spec.slice(5)}`] : [];
}

export function encryptionAlgorithmsOf(spec: KeySpec): string[] {
  // for SM4 keys SYMMETRIC_DEFAULT means the key's own algorithm, SM4-CTR + HMAC-SM3 (the blob says so)
  if (isSymmetricEncryption(spec)) return ['SYMMETRIC_DEFAULT'];
  if (spec.startsWith('RSA_')) return RSA_ENCRYPTION_ALGORITHMS;
  if (spec === 'SM2') return ['SM2PKE'];
  return [];
}

/** Data key pair specs of GenerateDataKeyPair. */
export const DATA_KEY_PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SM2'] as const;
