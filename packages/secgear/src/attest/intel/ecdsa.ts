import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { concatBytes } from '../../common/bytes.js';
import { BoundedCache, registerCache } from './verdict-cache.js';

// SubjectPublicKeyInfo prefix for an uncompressed P-256 point (id-ecPublicKey, prime256v1)
const P256_SPKI_PREFIX = new Uint8Array(Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'));

// importing a point validates it on the curve, which costs as much as a signature check; a
// platform's attestation key repeats across its quotes, so imported keys are kept by value
const imported = registerCache(new BoundedCache<KeyObject>(1024));

/** A raw P-256 public key `x ‖ y` (64 bytes, as quotes carry it) to a KeyObject; null if not on the curve. */
export function p256PublicKey(xy: Uint8Array): KeyObject | null {
  if (xy.byteLength !== 64) return null;
  const id = Buffer.from(xy.buffer, xy.byteOffset, xy.byteLength).toString('base64');
  try {
    return imported.getOrCompute(id, () => createPublicKey({ key: Buffer.from(concatBytes(P256_SPKI_PREFIX, new Uint8Array([4]), xy)), format: 'der', type: 'spki' }));
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
