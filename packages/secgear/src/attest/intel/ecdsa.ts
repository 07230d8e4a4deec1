import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { concatBytes } from '../../common/bytes.js';

// SubjectPublicKeyInfo prefix for an uncompressed P-256 point (id-ecPublicKey, prime256v1)
const P256_SPKI_PREFIX = new Uint8Array(Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'));

/** A raw P-256 public key `x ‖ y` (64 bytes, as quotes carry it) to a KeyObject; null if not on the curve. */
export function p256PublicKey(xy: Uint8Array): KeyObject | null {
  if (xy.byteLength !== 64) return null;
  try {
    return createPublicKey({ key: Buffer.from(concatBytes(P256_SPKI_PREFIX, new Uint8Array([4]), xy)), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** ECDSA with SHA-256 over `data`, signature as raw `r ‖ s` (IEEE P1363), as Intel signs. */
export function verifyP256(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.byteLength !== 64) return false;
  try {
    return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
