/**
 * The key types an RA-TLS certificate may use, with how each is generated and how it signs its
 * own certificate. TLS 1.3 signs handshakes with ECDSA or RSA-PSS for all three.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../common/errors.js';

export type RaTlsKeyType = 'p256' | 'p384' | 'rsa3072';
export const RA_TLS_KEY_TYPES: readonly RaTlsKeyType[] = ['p256', 'p384', 'rsa3072'];

interface KeyTypeSpec {
  /** The certificate's signatureAlgorithm OID. */
  signatureOid: string;
  /** RSA algorithm identifiers carry explicit NULL parameters; ECDSA ones carry none. */
  nullParameters: boolean;
  digest: 'sha256' | 'sha384';
  generate(): { privateKey: KeyObject; publicKey: KeyObject };
}

const SPECS: Record<RaTlsKeyType, KeyTypeSpec> = {
  p256: { signatureOid: '1.2.840.10045.4.3.2', nullParameters: false, digest: 'sha256', generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  p384: { signatureOid: '1.2.840.10045.4.3.3', nullParameters: false, digest: 'sha384', generate: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }) },
  rsa3072: { signatureOid: '1.2.840.113549.1.1.11', nullParameters: true, digest: 'sha256', generate: () => generateKeyPairSync('rsa', { modulusLength: 3072 }) },
};

/** The spec of a key type; throws `CC_ERROR_BAD_PARAMETERS` for an unknown name. */
export function keyTypeSpec(keyType: unknown): KeyTypeSpec {
  if (typeof keyType !== 'string' || !(RA_TLS_KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `keyType must be one of ${RA_TLS_KEY_TYPES.join(', ')}; got ${JSON.stringify(keyType)}`);
  }
  return SPECS[keyType as RaTlsKeyType];
}
