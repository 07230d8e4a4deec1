import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';

/**
 * COSE signature algorithms (RFC 9053, RFC 8230, RFC 8812) mapped onto node:crypto.
 * ECDSA signatures in COSE are raw r‖s (IEEE P1363), not DER.
 */
export interface CoseAlgorithm {
  id: number;
  name: string;
  kind: 'ecdsa' | 'rsa-pss' | 'rsa-pkcs1' | 'eddsa';
  /** node:crypto digest name; null for EdDSA. */
  hash: 'sha256' | 'sha384' | 'sha512' | null;
}

export const COSE_ALGORITHMS: ReadonlyMap<number, CoseAlgorithm> = new Map(
  (
    [
      [-7, 'ES256', 'ecdsa', 'sha256'],
      [-35, 'ES384', 'ecdsa', 'sha384'],
      [-36, 'ES512', 'ecdsa', 'sha512'],
      [-37, 'PS256', 'rsa-pss', 'sha256'],
      [-38, 'PS384', 'rsa-pss', 'sha384'],
      [-39, 'PS512', 'rsa-pss', 'sha512'],
      [-257, 'RS256', 'rsa-pkcs1', 'sha256'],
      [-258, 'RS384', 'rsa-pkcs1', 'sha384'],
      [-259, 'RS512', 'rsa-pkcs1', 'sha512'],
      [-8, 'EdDSA', 'eddsa', null],
    ] as const
  ).map(([id, name, kind, hash]) => [id, { id, name, kind, hash }]),
);

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;
const CURVE_BYTES: Record<string, number> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 };

/** Why a key cannot check a signature of this algorithm, or null when it can. */
function keyMismatch(alg: CoseAlgorithm, key: KeyObject, signature: Uint8Array): string | null {
  const type = key.asymmetricKeyType;
  if (alg.kind === 'ecdsa') {
    if (type !== 'ec') return `${alg.name} needs an EC key, got ${type ?? 'unknown'}`;
    const size = CURVE_BYTES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!size) return `unsupported curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`;
    if (signature.byteLength !== 2 * size) return `${alg.name} signature is ${signature.byteLength} bytes, expected ${2 * size} for this key`;
    return null;
  }
  if (alg.kind === 'rsa-pss' || alg.kind === 'rsa-pkcs1') {
    if (type !== 'rsa' && type !== 'rsa-pss') return `${alg.name} needs an RSA key, got ${type ?? 'unknown'}`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) return `RSA key of ${bits} bits is too small (at least 2048)`;
    if (signature.byteLength !== Math.ceil(bits / 8)) return `signature is ${signature.byteLength} bytes, expected ${Math.ceil(bits / 8)}`;
    return null;
  }
  return type === 'ed25519' || type === 'ed448' ? null : `EdDSA needs an Ed25519 or Ed448 key, got ${type ?? 'unknown'}`;
}

function nodeKeyOptions(alg: CoseAlgorithm, key: KeyObject) {
  if (alg.kind === 'ecdsa') return { key, dsaEncoding: 'ieee-p1363' as const };
  if (alg.kind === 'rsa-pss') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[alg.hash as 'sha256'] };
  if (alg.kind === 'rsa-pkcs1') return { key, padding: constants.RSA_PKCS1_PADDING };
  return { key };
}

/** Verifies `signature` over `data`; returns null when valid, else the reason. Never throws. */
export function verifySignature(alg: CoseAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): string | null {
  const mismatch = keyMismatch(alg, key, signature);
  if (mismatch) return mismatch;
  try {
    return nodeVerify(alg.hash, data, nodeKeyOptions(alg, key), signature) ? null : `${alg.name} signature does not verify`;
  } catch (error) {
    return `${alg.name} signature could not be checked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Signs `data` (for building tokens in tests and simulated evidence). */
export function signData(alg: CoseAlgorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(alg.hash, data, nodeKeyOptions(alg, privateKey)));
}
