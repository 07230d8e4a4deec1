/**
 * Ephemeral ECDH for the secure channel: P-256 (uncompressed points) or X25519, with
 * node:crypto. A peer share is validated when it is imported (a point not on the curve, or an
 * X25519 share giving an all-zero secret, is refused).
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { concatBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { SHARE_LENGTHS, type GroupName } from './messages.js';

export interface EphemeralKey {
  group: GroupName;
  share: Uint8Array;
  privateKey: KeyObject;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const fromB64 = (text: string | undefined) => new Uint8Array(Buffer.from(text ?? '', 'base64url'));

export function generateEphemeral(group: GroupName): EphemeralKey {
  if (group === 'p256') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    return { group, privateKey, share: concatBytes(Uint8Array.of(4), fromB64(jwk.x), fromB64(jwk.y)) };
  }
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { group, privateKey, share: fromB64(publicKey.export({ format: 'jwk' }).x) };
}

function peerKey(group: GroupName, share: Uint8Array): KeyObject {
  if (share.byteLength !== SHARE_LENGTHS[group]) throw new SecGearError(ErrorCode.INVALID_POINT, `a ${group} share is ${SHARE_LENGTHS[group]} bytes`);
  try {
    if (group === 'p256') {
      if (share[0] !== 4) throw new Error('not an uncompressed point');
      return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(share.subarray(1, 33)), y: b64(share.subarray(33)) }, format: 'jwk' });
    }
    return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(share) }, format: 'jwk' });
  } catch (cause) {
    throw new SecGearError(ErrorCode.INVALID_POINT, `the peer's ${group} share is not a valid public key`, { cause });
  }
}

/** The shared secret Z with the peer's share. */
export function sharedSecret(own: EphemeralKey, peerShare: Uint8Array): Uint8Array {
  let z: Uint8Array;
  try {
    z = new Uint8Array(diffieHellman({ privateKey: own.privateKey, publicKey: peerKey(own.group, peerShare) }));
  } catch (cause) {
    if (cause instanceof SecGearError) throw cause;
    throw new SecGearError(ErrorCode.INVALID_POINT, `the peer's ${own.group} share gives no shared secret`, { cause });
  }
  if (z.every((b) => b === 0)) throw new SecGearError(ErrorCode.INVALID_POINT, 'the peer\'s share gives an all-zero secret (a low-order point)');
  return z;
}
