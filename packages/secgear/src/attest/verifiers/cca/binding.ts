import { createHash, type KeyObject } from 'node:crypto';
import { bytesEqual } from '../../../common/bytes.js';
import { decodeCbor } from '../../cose/cbor.js';
import { publicKeyFromCoseKey, publicKeyFromEcPoint, publicKeyFromSpki } from '../../cose/keys.js';

/**
 * How a realm (or virtCCA CVM) token carries its key, and how the platform token binds it:
 * the platform challenge is the hash of the key bytes exactly as carried in the realm token.
 */

const DIGESTS: Record<string, string> = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

/** Hash by its IANA Named Information name ("sha-256", ...); null for an unknown name. */
export function namedDigest(name: string, data: Uint8Array): Uint8Array | null {
  const algorithm = DIGESTS[name];
  return algorithm ? new Uint8Array(createHash(algorithm).update(data).digest()) : null;
}

const realmKeys = new Map<string, KeyObject>();

/** The key object of a realm public key: raw EC point (legacy profile), COSE_Key, or SPKI DER. Memoised by content. */
export function realmPublicKey(bytes: Uint8Array): KeyObject {
  const id = createHash('sha256').update(bytes).digest('base64');
  let key = realmKeys.get(id);
  if (!key) {
    key = importRealmKey(bytes);
    if (realmKeys.size >= 256) realmKeys.clear();
    realmKeys.set(id, key);
  }
  return key;
}

function importRealmKey(bytes: Uint8Array): KeyObject {
  if (bytes[0] === 0x04 && (bytes.byteLength === 65 || bytes.byteLength === 97 || bytes.byteLength === 133)) return publicKeyFromEcPoint(bytes);
  if (bytes[0] === 0x30) return publicKeyFromSpki(bytes);
  const map = decodeCbor(bytes);
  if (!(map instanceof Map)) return publicKeyFromEcPoint(bytes); // reports the shape problem
  return publicKeyFromCoseKey(map);
}

/** Null when `challenge` = hash(`key`), else the reason. */
export function keyBindingFailure(challenge: Uint8Array, key: Uint8Array, hashAlg: string, what: string): string | null {
  const digest = namedDigest(hashAlg, key);
  if (!digest) return `unsupported key hash algorithm "${hashAlg}"`;
  if (bytesEqual(digest, challenge)) return null;
  return `the platform challenge is not the ${hashAlg} hash of the ${what} key, so the platform token does not vouch for this ${what} token`;
}
