/**
 * The sealed blob format, version 1 (byte table: docs/formats/sealed-blob.md).
 *
 *   0  magic "SGSD" | 4 version | 5 policy | 6 reserved | 8 svn | 12 key id (32) | 44 iv (12)
 *   56 aad length | 60 text length | 64 aad | ciphertext | tag (16)
 *
 * Everything before the ciphertext is authenticated as AES-GCM additional data.
 */
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { SealPolicy } from '../common/platform-ops.js';

export const SEALED_MAGIC = 0x53475344; // "SGSD"
export const SEALED_VERSION = 1;
export const SEALED_HEADER_SIZE = 64;
export const SEALED_TAG_SIZE = 16;
/** Bytes a blob adds to the data and additional data. */
export const SEALED_OVERHEAD = SEALED_HEADER_SIZE + SEALED_TAG_SIZE;
/** Bytes at the start of the header that name the key (magic through key id): the per-blob key's info. */
export const SEALED_KEY_INFO_SIZE = 44;
export const SEALED_IV_OFFSET = 44;
export const SEALED_IV_SIZE = 12;
export const SEALED_KEY_ID_SIZE = 32;
const MAX_U32 = 0xffffffff;

export const POLICY_CODE: Record<SealPolicy, number> = { enclave: 1, signer: 2 };
const POLICY_NAME: Record<number, SealPolicy> = { 1: 'enclave', 2: 'signer' };

export interface SealedBlob {
  version: number;
  policy: SealPolicy;
  /** svn of the enclave that sealed. */
  svn: number;
  keyId: Uint8Array;
  iv: Uint8Array;
  aad: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
  /** The AES-GCM additional data: header and aad. */
  authenticated: Uint8Array;
  /** Header bytes 0..44, mixed into the per-blob key. */
  keyInfo: Uint8Array;
}

function invalid(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_SEALED_DATA, `sealed data: ${message}`);
}

/** Total blob size for `textLength` bytes of data and `aadLength` bytes of additional data. */
export function sealedSize(textLength: number, aadLength = 0): number {
  for (const [name, n] of [['data length', textLength], ['additional data length', aadLength]] as const) {
    if (!Number.isInteger(n) || n < 0 || n > MAX_U32) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${name} must be an integer from 0 to ${MAX_U32}, got ${String(n)}`);
    }
  }
  return SEALED_OVERHEAD + aadLength + textLength;
}

/**
 * Writes the 64-byte header into `out` (which must hold the whole blob). `random` supplies the
 * key id and iv (44 bytes).
 */
export function writeSealedHeader(out: Uint8Array, policy: SealPolicy, svn: number, random: Uint8Array, aadLength: number, textLength: number): void {
  const view = new DataView(out.buffer, out.byteOffset, SEALED_HEADER_SIZE);
  view.setUint32(0, SEALED_MAGIC);
  out[4] = SEALED_VERSION;
  out[5] = POLICY_CODE[policy];
  out[6] = 0;
  out[7] = 0;
  view.setUint32(8, svn);
  out.set(random.subarray(0, SEALED_KEY_ID_SIZE + SEALED_IV_SIZE), 12);
  view.setUint32(56, aadLength);
  view.setUint32(60, textLength);
}

/** Parses a blob's layout (views into `blob`, no copies); throws CC_ERROR_INVALID_SEALED_DATA. */
export function parseSealedBlob(blob: unknown): SealedBlob {
  if (!isBytes(blob)) invalid('expected a Uint8Array produced by seal()');
  if (blob.byteLength < SEALED_OVERHEAD) invalid(`too short (${blob.byteLength} bytes, at least ${SEALED_OVERHEAD})`);
  const view = new DataView(blob.buffer, blob.byteOffset, SEALED_HEADER_SIZE);
  if (view.getUint32(0) !== SEALED_MAGIC) invalid('bad magic (not produced by seal())');
  if (blob[4] !== SEALED_VERSION) invalid(`unsupported version ${blob[4]} (this runtime reads version ${SEALED_VERSION})`);
  const policy = POLICY_NAME[blob[5]];
  if (!policy) invalid(`unknown policy code ${blob[5]}`);
  if (blob[6] !== 0 || blob[7] !== 0) invalid('reserved header bytes are not zero');
  const aadLength = view.getUint32(56);
  const textLength = view.getUint32(60);
  const expected = SEALED_OVERHEAD + aadLength + textLength;
  if (expected !== blob.byteLength) invalid(`length mismatch: the header describes ${expected} bytes, got ${blob.byteLength}`);
  const textStart = SEALED_HEADER_SIZE + aadLength;
  return {
    version: blob[4],
    policy,
    svn: view.getUint32(8),
    keyId: blob.subarray(12, 44),
    iv: blob.subarray(SEALED_IV_OFFSET, SEALED_IV_OFFSET + SEALED_IV_SIZE),
    aad: blob.subarray(SEALED_HEADER_SIZE, textStart),
    ciphertext: blob.subarray(textStart, textStart + textLength),
    tag: blob.subarray(textStart + textLength),
    authenticated: blob.subarray(0, textStart),
    keyInfo: blob.subarray(0, SEALED_KEY_INFO_SIZE),
  };
}
