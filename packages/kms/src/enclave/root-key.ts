/**
 * The domain root key: 32 random bytes made inside the enclave, stored only sealed (signer
 * policy, so a newer build of the same signer unseals it). From it, by HKDF, the wrap key
 * under which every key version and access-key secret is stored by the host. Unwrapped
 * material is cached in enclave memory, keyed by the wrapped bytes themselves, so a record the
 * host swaps never hits another record's cache entry.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { random, seal, unseal } from 'secgear/enclave';
import { Exception, KmsError } from '../common/kms-error.js';
import { setFreshnessKey } from './freshness.js';

const ROOT_AAD = new TextEncoder().encode('secgear ekms domain root key v1');
const ROOT_LENGTH = 32;
const CACHE_LIMIT = 10_000;

let wrapKey: Buffer | undefined;
let auditKey: Buffer | undefined;
let rootKeyId = '';
/** Kept to hand to a joining node's enclave over attested TLS (cluster-join.ts); never returned to the host. */
let rootKey: Buffer | undefined;

export interface RootKeyState {
  sealedRoot?: Uint8Array;
  rootKeyId: string;
}

/** Unseals the stored root key, or makes and seals a new one when there is none. */
export async function loadRootKey(sealedRoot: Uint8Array | undefined): Promise<RootKeyState> {
  let root: Uint8Array;
  let sealed: Uint8Array | undefined;
  if (sealedRoot) {
    const opened = await unseal(sealedRoot, { aad: ROOT_AAD });
    root = opened.data;
    if (root.length !== ROOT_LENGTH) throw new KmsError(Exception.Internal, 'the sealed root key has the wrong length', 500);
  } else {
    root = random(ROOT_LENGTH);
    sealed = await seal(root, { policy: 'signer', aad: ROOT_AAD });
  }
  install(root);
  root.fill(0);
  return { sealedRoot: sealed, rootKeyId };
}

/** Takes a root key received from another node's enclave, and seals it to this platform. */
export async function adoptRootKey(root: Uint8Array): Promise<Required<RootKeyState>> {
  if (!(root instanceof Uint8Array) || root.length !== ROOT_LENGTH) throw new KmsError(Exception.Internal, 'the received root key has the wrong length', 500);
  const sealed = await seal(root, { policy: 'signer', aad: ROOT_AAD });
  install(root);
  return { sealedRoot: sealed, rootKeyId };
}

/** A copy of the root key, for a joining enclave that proved itself (the caller zeroizes it). */
export function rootKeyForJoin(): Buffer {
  if (!rootKey) throw new KmsError(Exception.InvalidState, 'the enclave has not loaded its root key (kmsStart)', 500);
  return Buffer.from(rootKey);
}

export function currentRootKeyId(): string {
  return rootKeyId;
}

function install(root: Uint8Array): void {
  rootKey?.fill(0);
  rootKey = Buffer.from(root);
  wrapKey = Buffer.from(hkdfSync('sha256', root, new Uint8Array(0), 'secgear ekms wrap key v1', 32));
  auditKey = Buffer.from(hkdfSync('sha256', root, new Uint8Array(0), 'secgear ekms audit seal v1', 32));
  setFreshnessKey(Buffer.from(hkdfSync('sha256', root, new Uint8Array(0), 'secgear ekms freshness v1', 32)));
  rootKeyId = createHash('sha256').update('secgear ekms root id v1').update(wrapKey).digest('hex');
  unwrapped.clear();
}

function requireWrapKey(): Buffer {
  if (!wrapKey) throw new KmsError(Exception.InvalidState, 'the enclave has not loaded its root key (kmsStart)', 500);
  return wrapKey;
}

/** AES-256-GCM under the wrap key: iv | tag | ciphertext. */
export function wrap(material: Uint8Array, aad: Uint8Array): Uint8Array {
  const iv = random(12);
  const cipher = createCipheriv('aes-256-gcm', requireWrapKey(), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(material), cipher.final()]);
  const out = new Uint8Array(28 + body.length);
  out.set(iv, 0);
  out.set(cipher.getAuthTag(), 12);
  out.set(body, 28);
  return out;
}

const unwrapped = new Map<string, unknown>();

/**
 * Opens wrapped material (checking its binding `aad`) and turns it into a usable form once;
 * later calls with the same wrapped bytes and binding get the cached form.
 */
export function unwrap<T>(wrapped: Uint8Array, aad: Uint8Array, use: (material: Buffer) => T): T {
  if (!(wrapped instanceof Uint8Array) || wrapped.length < 29 || wrapped.length > 16384) {
    throw new KmsError(Exception.Internal, 'a stored key record is malformed', 500);
  }
  const cacheKey = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.byteLength).toString('base64') + Buffer.from(aad).toString('base64');
  const hit = unwrapped.get(cacheKey);
  if (hit !== undefined) return hit as T;
  const decipher = createDecipheriv('aes-256-gcm', requireWrapKey(), wrapped.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(wrapped.subarray(12, 28));
  let material: Buffer;
  try {
    material = Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  } catch {
    throw new KmsError(Exception.Internal, 'a stored key record does not open under this root key (altered, or bound to another key)', 500);
  }
  const value = use(material);
  material.fill(0);
  if (unwrapped.size >= CACHE_LIMIT) unwrapped.clear();
  unwrapped.set(cacheKey, value);
  return value;
}

/** Binding of a key version's material: tenant, key id, version, spec. */
export function keyBinding(tenant: string, keyId: string, version: number, spec: string): Uint8Array {
  return new TextEncoder().encode(`ekms key v1\0${tenant}\0${keyId}\0${version}\0${spec}`);
}

/** Binding of an access key's secret: tenant and access key id. */
export function secretBinding(tenant: string, accessKeyId: string): Uint8Array {
  return new TextEncoder().encode(`ekms access key v1\0${tenant}\0${accessKeyId}`);
}

/** Seal of an audit chain head: HMAC-SHA-256 under the audit key (hex). */
export function auditSeal(headHash: string): string {
  if (!auditKey) throw new KmsError(Exception.InvalidState, 'the enclave has not loaded its root key (kmsStart)', 500);
  return createHmac('sha256', auditKey).update(`ekms audit head v1\0${headHash}`).digest('hex');
}
