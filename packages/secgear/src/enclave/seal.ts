/**
 * Data sealing, after secGear's cc_enclave_seal_data / cc_enclave_unseal_data.
 *
 * Key hierarchy (docs/formats/sealed-blob.md): the platform derives a base key per (policy
 * identity, svn, debug) from its sealing root and hands it to this enclave once (EGETKEY);
 * each blob gets its own AES-256-GCM key, HKDF-Expand(base key, header incl. a random key id),
 * derived here. No platform round trip per blob, and a base key is exactly what the platform
 * would give this enclave for any key id, so holding it grants nothing more.
 */
import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';
import { constantTimeEqual, isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { PlatformOp, type SealKeyRequest, type SealKeyResponse, type SealPolicy } from '../common/platform-ops.js';
import { platformCall } from './runtime/platform-call.js';
import {
  SEALED_HEADER_SIZE,
  SEALED_IV_OFFSET,
  SEALED_IV_SIZE,
  SEALED_KEY_ID_SIZE,
  SEALED_KEY_INFO_SIZE,
  SEALED_TAG_SIZE,
  parseSealedBlob,
  sealedSize,
  writeSealedHeader,
} from './sealed-blob.js';

export type { SealPolicy } from '../common/platform-ops.js';

export interface SealOptions {
  /**
   * `"enclave"` (default): only an enclave with this measurement can unseal (SGX MRENCLAVE).
   * `"signer"`: any enclave with the same signer and prodId and an svn at least this one's (MRSIGNER).
   */
  policy?: SealPolicy;
  /** Additional data: stored in the clear, authenticated, returned by unseal. Default empty. */
  aad?: Uint8Array;
}

export interface UnsealOptions {
  /** When given, the blob's additional data must equal it (else CC_ERROR_MAC_INVALID). */
  aad?: Uint8Array;
}

export interface Unsealed {
  data: Uint8Array;
  aad: Uint8Array;
}

const KEY_LABEL = new TextEncoder().encode('secgear seal v1\0');
const EMPTY = new Uint8Array(0);

/** Base keys this enclave obtained, by `${policy}/${svn}` and by policy for the current svn. */
let baseKeys = new Map<string, Promise<SealKeyResponse>>();

function baseKey(request: SealKeyRequest): Promise<SealKeyResponse> {
  const id = `${request.policy}/${request.svn ?? 'own'}`;
  let pending = baseKeys.get(id);
  if (!pending) {
    pending = (platformCall(PlatformOp.sealKey, request) as Promise<SealKeyResponse>).then(checkKeyResponse);
    baseKeys.set(id, pending);
    const cache = baseKeys;
    // a refused request (svn too high) is not cached, so the error is raised afresh each time
    pending.catch(() => cache.get(id) === pending && cache.delete(id));
  }
  return pending;
}

function checkKeyResponse(response: SealKeyResponse): SealKeyResponse {
  if (!response || !isBytes(response.key) || response.key.byteLength !== 32 || !Number.isInteger(response.svn)) {
    throw new SecGearError(ErrorCode.GENERIC, 'the platform returned a malformed sealing key');
  }
  return response;
}

/** Zeroizes and forgets the sealing keys this enclave holds; the next seal or unseal asks the platform again. */
export function forgetSealingKeys(): void {
  const old = baseKeys;
  baseKeys = new Map();
  for (const pending of old.values()) pending.then((r) => r.key.fill(0), () => undefined);
}

// key ids and ivs come from a pool refilled 4 KiB at a time (one getrandom per ~90 blobs)
const pool = new Uint8Array(4096);
let poolOffset = pool.byteLength;
const RANDOM_SIZE = SEALED_KEY_ID_SIZE + SEALED_IV_SIZE;

function freshRandom(): Uint8Array {
  if (poolOffset + RANDOM_SIZE > pool.byteLength) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + RANDOM_SIZE);
  poolOffset += RANDOM_SIZE;
  return out;
}

/** HKDF-Expand (RFC 5869 §2.3) with the base key as PRK, one block: HMAC(base, label || keyInfo || 0x01). */
function blobKey(base: Uint8Array, keyInfo: Uint8Array): Buffer {
  return createHmac('sha256', base).update(KEY_LABEL).update(keyInfo).update(Uint8Array.of(1)).digest();
}

/** A Uint8Array over memory of its own (not Node's shared Buffer pool). */
function ownBytes(buffer: Buffer): Uint8Array {
  if (buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.byteLength) return new Uint8Array(buffer.buffer, 0, buffer.byteLength);
  const copy = new Uint8Array(buffer);
  buffer.fill(0);
  return copy;
}

function checkBytes(name: string, value: unknown): asserts value is Uint8Array {
  if (!isBytes(value)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${name} must be a Uint8Array`);
}

/** Seals `data` to this enclave (or its signer); the blob can be stored anywhere outside. */
export async function seal(data: Uint8Array, options: SealOptions = {}): Promise<Uint8Array> {
  checkBytes('data', data);
  const aad = options.aad ?? EMPTY;
  checkBytes('aad', aad);
  const policy = options.policy ?? 'enclave';
  if (policy !== 'enclave' && policy !== 'signer') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `unknown sealing policy ${JSON.stringify(policy)}; use "enclave" or "signer"`);
  }
  const size = sealedSize(data.byteLength, aad.byteLength);
  const { key: base, svn } = await baseKey({ policy });
  // every byte is written below, so uninitialised memory never leaves
  const blob = ownBytes(Buffer.allocUnsafeSlow(size));
  writeSealedHeader(blob, policy, svn, freshRandom(), aad.byteLength, data.byteLength);
  blob.set(aad, SEALED_HEADER_SIZE);
  const key = blobKey(base, blob.subarray(0, SEALED_KEY_INFO_SIZE));
  try {
    const cipher = createCipheriv('aes-256-gcm', key, blob.subarray(SEALED_IV_OFFSET, SEALED_IV_OFFSET + SEALED_IV_SIZE), { authTagLength: SEALED_TAG_SIZE });
    cipher.setAAD(blob.subarray(0, SEALED_HEADER_SIZE + aad.byteLength));
    const textStart = SEALED_HEADER_SIZE + aad.byteLength;
    blob.set(cipher.update(data), textStart);
    cipher.final();
    blob.set(cipher.getAuthTag(), textStart + data.byteLength);
  } finally {
    key.fill(0);
  }
  return blob;
}

/**
 * Unseals a blob from `seal`. Fails with CC_ERROR_INVALID_SEALED_DATA (malformed),
 * CC_ERROR_SEAL_POLICY (sealed by a newer svn) or CC_ERROR_MAC_INVALID (altered, or sealed by
 * another enclave, signer, debug mode or machine); never returns partial plaintext.
 */
export async function unseal(blob: Uint8Array, options: UnsealOptions = {}): Promise<Unsealed> {
  const parsed = parseSealedBlob(blob);
  if (options.aad !== undefined) {
    checkBytes('aad', options.aad);
    if (!constantTimeEqual(options.aad, parsed.aad)) {
      throw new SecGearError(ErrorCode.MAC_INVALID, 'sealed data: the additional data differs from the expected one');
    }
  }
  const { key: base } = await baseKey({ policy: parsed.policy, svn: parsed.svn });
  const key = blobKey(base, parsed.keyInfo);
  let plain: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: SEALED_TAG_SIZE });
    decipher.setAAD(parsed.authenticated);
    decipher.setAuthTag(parsed.tag);
    plain = decipher.update(parsed.ciphertext);
    decipher.final();
  } catch (error) {
    plain?.fill(0);
    throw new SecGearError(
      ErrorCode.MAC_INVALID,
      'sealed data: authentication failed (the blob was altered, or it was sealed by another enclave, signer, debug mode or machine)',
      { cause: error },
    );
  } finally {
    key.fill(0);
  }
  return { data: ownBytes(plain), aad: parsed.aad.slice() };
}

/** Blob size for the given data and additional-data lengths (secGear's cc_enclave_get_sealed_data_size). */
export function getSealedDataSize(dataLength: number, aadLength = 0): number {
  return sealedSize(dataLength, aadLength);
}

/** Length of the data a blob holds (secGear's cc_enclave_get_encrypted_text_size). */
export function getEncryptedTextSize(blob: Uint8Array): number {
  return parseSealedBlob(blob).ciphertext.byteLength;
}

/** Length of a blob's additional data (secGear's cc_enclave_get_add_text_size). */
export function getAddTextSize(blob: Uint8Array): number {
  return parseSealedBlob(blob).aad.byteLength;
}
