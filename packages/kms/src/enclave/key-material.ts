/** Generation of key material per key spec, and its usable forms. Runs inside the enclave only. */
import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { random } from 'secgear/enclave';
import { Exception, KmsError } from '../common/kms-error.js';
import type { KeySpec } from '../common/key-specs.js';
import { privateScalarFromPkcs8, SM2, SM2_PARAMS, type Sm2Point } from './gm/sm2.js';
import { SM4_MATERIAL_LENGTH } from './gm/sm4-aead.js';

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
  if (spec === 'SM4') return { material: random(SM4_MATERIAL_LENGTH) };
  if (spec === 'SM2') return generateSm2Pair();
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

/** An SM2 pair made by OpenSSL (curve SM2); SM2 needs d <= n - 2 (1 + d must be invertible), OpenSSL's EC keygen allows n - 1. */
export function generateSm2Pair(): NewMaterial {
  for (;;) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const exported = exportPair(pair.privateKey, pair.publicKey);
    if (privateScalarFromPkcs8(exported.material) <= SM2_PARAMS.n - 2n) return exported;
  }
}

function exportPair(privateKey: KeyObject, publicKey: KeyObject): NewMaterial {
  return {
    material: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
  };
}

/** The usable form of a key version's material, by spec. */
export type UsableKey =
  | { kind: 'aes'; key: KeyObject }
  | { kind: 'sm4'; material: Uint8Array }
  | { kind: 'hmac'; key: KeyObject; bits: number }
  | { kind: 'private'; key: KeyObject; publicKey: KeyObject }
  | { kind: 'sm2'; d: bigint; point: Sm2Point };

export function toUsable(spec: KeySpec, material: Buffer): UsableKey {
  if (spec === 'SYMMETRIC_DEFAULT') {
    if (material.length !== 32) throw new KmsError(Exception.Internal, 'symmetric key material has the wrong length', 500);
    return { kind: 'aes', key: createSecretKey(material) };
  }
  if (spec === 'SM4') {
    if (material.length !== SM4_MATERIAL_LENGTH) throw new KmsError(Exception.Internal, 'SM4 key material has the wrong length', 500);
    // a copy: the caller zeroizes `material` after this returns
    return { kind: 'sm4', material: new Uint8Array(material) };
  }
  if (spec.startsWith('HMAC_')) return { kind: 'hmac', key: createSecretKey(material), bits: Number(spec.slice(5)) };
  if (spec === 'SM2') {
    // never through a Node KeyObject: see privateScalarFromPkcs8
    const d = privateScalarFromPkcs8(material);
    return { kind: 'sm2', d, point: SM2.Point.BASE.multiply(d) };
  }
  const key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  return { kind: 'private', key, publicKey: createPublicKey(key) };
}
