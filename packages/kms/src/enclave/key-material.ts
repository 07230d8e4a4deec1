/** Generation of key material per key spec, and its usable forms. Runs inside the enclave only. */
import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { random } from 'secgear/enclave';
import { Exception, KmsError } from '../common/kms-error.js';
import type { KeySpec } from '../common/key-specs.js';

export interface NewMaterial {
  /** Raw secret bytes (symmetric, HMAC) or PKCS#8 DER (asymmetric). */
  material: Uint8Array;
  /** SubjectPublicKeyInfo DER of asymmetric keys. */
  publicKey?: Uint8Array;
}

const CURVES: Record<string, string> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
  ECC_SECG_P256K1: 'secp256k1',
};

export function generateMaterial(spec: string): NewMaterial {
  if (spec === 'SYMMETRIC_DEFAULT') return { material: random(32) };
  if (spec.startsWith('HMAC_')) {
    const bits = Number(spec.slice(5));
    if (![224, 256, 384, 512].includes(bits)) throw new KmsError(Exception.Validation, `unsupported key spec ${spec}`);
    return { material: random(bits / 8) };
  }
  if (spec.startsWith('RSA_')) {
    const bits = Number(spec.slice(4));
    if (![2048, 3072, 4096].includes(bits)) throw new KmsError(Exception.Validation, `unsupported key spec ${spec}`);
    const pair = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
    return exportPair(pair.privateKey, pair.publicKey);
  }
  const curve = CURVES[spec];
  if (!curve) throw new KmsError(Exception.Validation, `unsupported key spec ${spec}`);
  const pair = generateKeyPairSync('ec', { namedCurve: curve });
  return exportPair(pair.privateKey, pair.publicKey);
}

function exportPair(privateKey: KeyObject, publicKey: KeyObject): NewMaterial {
  return {
    material: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
  };
}

/** The usable form of a key version's material, by spec. */
export type UsableKey = { kind: 'aes'; key: KeyObject } | { kind: 'hmac'; key: KeyObject; bits: number } | { kind: 'private'; key: KeyObject; publicKey: KeyObject };

export function toUsable(spec: KeySpec, material: Buffer): UsableKey {
  if (spec === 'SYMMETRIC_DEFAULT') {
    if (material.length !== 32) throw new KmsError(Exception.Internal, 'symmetric key material has the wrong length', 500);
    return { kind: 'aes', key: createSecretKey(material) };
  }
  if (spec.startsWith('HMAC_')) return { kind: 'hmac', key: createSecretKey(material), bits: Number(spec.slice(5)) };
  const key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  return { kind: 'private', key, publicKey: createPublicKey(key) };
}
