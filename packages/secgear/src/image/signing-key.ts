import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { signedPayload } from './measure.js';

/** A new ECDSA P-384 signing key, as PKCS#8 PEM. */
export function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Loads a P-384 private key (PEM or DER); anything else is refused with a clear error. */
export function loadSigningKey(pem: string | Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = typeof pem === 'string' ? createPrivateKey(pem) : createPrivateKey({ key: Buffer.from(pem), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the signing key is not a readable private key; create one with `secgear keygen -o key.pem`', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the signing key must be ECDSA P-384; create one with `secgear keygen -o key.pem`');
  }
  return key;
}

export function publicKeySpki(privateKey: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
}

/** ECDSA P-384 / SHA-384 over the signed payload, r || s. */
export function signMeasurement(privateKey: KeyObject, measurement: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha384', signedPayload(measurement), { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

/** True when `signature` is the signer's over `measurement`; false for any malformed input. */
export function verifyMeasurementSignature(publicKey: Uint8Array, measurement: Uint8Array, signature: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return false;
    return verify('sha384', signedPayload(measurement), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
