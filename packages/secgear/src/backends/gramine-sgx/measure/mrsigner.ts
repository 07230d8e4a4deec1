/**
 * MRSIGNER of an SGX signing key: SHA-256 of the RSA-3072 modulus as SIGSTRUCT stores it
 * (384 bytes, little-endian). SGX requires the public exponent 3 (SDM, SIGSTRUCT).
 */
import { createHash, createPublicKey } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../../common/errors.js';

export function mrSignerOfKey(pem: string): Uint8Array {
  let jwk: { kty?: string; n?: string; e?: string };
  try {
    jwk = createPublicKey(pem).export({ format: 'jwk' }) as typeof jwk;
  } catch (error) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the signing key is not a PEM RSA key', { cause: error });
  }
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'an SGX signing key is RSA-3072 with exponent 3');
  const modulus = Buffer.from(jwk.n, 'base64url');
  const exponent = Buffer.from(jwk.e, 'base64url');
  if (modulus.byteLength !== 384 || exponent.byteLength !== 1 || exponent[0] !== 3) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `an SGX signing key is RSA-3072 with exponent 3 (got ${modulus.byteLength * 8} bits, exponent 0x${exponent.toString('hex')}); create one with gramine-sgx-gen-private-key`);
  }
  return new Uint8Array(createHash('sha256').update(Uint8Array.from(modulus).reverse()).digest());
}
