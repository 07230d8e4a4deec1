/**
 * Authorization of registrations. The enclave's `pakeRegister` ecall is called by the host, which
 * is not trusted; an enclave configured with a provisioning public key accepts only registrations
 * signed by the matching private key (held by whoever provisions devices), so a host cannot
 * register identities or replace a device's password on its own.
 *
 * Signature: ECDSA (P-256 or P-384 key) with SHA-256, DER-encoded, over
 *   len("secgear pake register v1") || ... || len(idProver) || idProver || len(registration) || registration
 * where registration is the encoding of docs/formats/pake-verifier-record.md.
 */
import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { lengthPrefixed, toBytes, type BytesLike } from './encoding.js';
import { encodeRegistration, type Registration } from './stored-record.js';

const LABEL = new TextEncoder().encode('secgear pake register v1');

export type ProvisioningPublicKey = string | JsonWebKey | KeyObject;

export function registrationSignedData(idProver: Uint8Array, encodedRegistration: Uint8Array): Uint8Array {
  return lengthPrefixed(LABEL, idProver, encodedRegistration);
}

/** Signs a registration for `idProver` with the provisioning private key (PEM or KeyObject). */
export function signRegistration(idProver: BytesLike, registration: Registration, privateKey: string | KeyObject): Uint8Array {
  const data = registrationSignedData(toBytes(idProver, 'idProver'), encodeRegistration(registration));
  let key: KeyObject;
  try {
    key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  } catch (cause) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'cannot read the provisioning private key (PEM)', { cause });
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1')) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the provisioning key must be an ECDSA P-256 or P-384 private key');
  }
  return new Uint8Array(sign('sha256', data, key));
}

/** Loads and checks a provisioning public key (EC P-256 or P-384). */
export function loadProvisioningKey(key: ProvisioningPublicKey): KeyObject {
  let object: KeyObject;
  try {
    object = typeof key === 'string' ? createPublicKey(key) : 'type' in key && typeof (key as KeyObject).export === 'function' ? createPublicKey(key as KeyObject) : createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
  } catch (cause) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the provisioning key is not a public key (PEM SPKI or JWK)', { cause });
  }
  const curve = object.asymmetricKeyDetails?.namedCurve;
  if (object.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1')) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the provisioning key must be an ECDSA P-256 or P-384 key');
  }
  return object;
}

export function verifyRegistrationSignature(key: KeyObject, idProver: Uint8Array, encodedRegistration: Uint8Array, signature: unknown): boolean {
  if (!(signature instanceof Uint8Array) || signature.byteLength === 0 || signature.byteLength > 160) return false;
  try {
    return verify('sha256', registrationSignedData(idProver, encodedRegistration), key, signature);
  } catch {
    return false;
  }
}
