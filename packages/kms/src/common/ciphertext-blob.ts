/**
 * The CiphertextBlob of symmetric keys (docs/formats/kms-ciphertext-blob.md): it names the
 * algorithm, the key and the key version that made it, so Decrypt needs no KeyId and data from
 * before a rotation still decrypts.
 *
 *   0      1     format: 1 = AES-256-GCM (SYMMETRIC_DEFAULT keys), 2 = SM4-CTR + HMAC-SM3 (SM4 keys)
 *   1      1     key id length n (1..64)
 *   2      n     key id (ASCII)
 *   2+n    4     key version (big-endian u32, from 1)
 *   6+n    iv    format 1: 12-byte GCM IV;  format 2: 16-byte CTR IV
 *   ...    tag   format 1: 16-byte GCM tag; format 2: 32-byte HMAC-SM3
 *   ...    ...   ciphertext
 *
 * Authenticated data: bytes 0..6+n (the header) followed by the encoded encryption context.
 */
import { Exception, KmsError } from './kms-error.js';

export const BLOB_FORMAT_VERSION = 1;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;

export const BlobFormat = { Aes256Gcm: 1, Sm4CtrHmacSm3: 2 } as const;
export type BlobFormat = (typeof BlobFormat)[keyof typeof BlobFormat];
const LAYOUT: Record<number, { iv: number; tag: number }> = { 1: { iv: IV_LENGTH, tag: TAG_LENGTH }, 2: { iv: 16, tag: 32 } };

export interface CiphertextHeader {
  format: BlobFormat;
  keyId: string;
  version: number;
}

export interface ParsedCiphertext extends CiphertextHeader {
  header: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
  ciphertext: Uint8Array;
}

export function encodeHeader(keyId: string, version: number, format: BlobFormat = BlobFormat.Aes256Gcm): Uint8Array {
  const id = new TextEncoder().encode(keyId);
  if (id.length < 1 || id.length > 64) throw new KmsError(Exception.Internal, 'key id length out of range', 500);
  const header = new Uint8Array(6 + id.length);
  header[0] = format;
  header[1] = id.length;
  header.set(id, 2);
  new DataView(header.buffer).setUint32(2 + id.length, version);
  return header;
}

const invalid = () => new KmsError(Exception.InvalidCiphertext, 'the ciphertext is not an EKMS ciphertext blob, or it was altered');

export function parseCiphertext(blob: Uint8Array): ParsedCiphertext {
  const layout = blob.length >= 2 ? LAYOUT[blob[0]] : undefined;
  if (!layout) throw invalid();
  const n = blob[1];
  if (n < 1 || n > 64 || blob.length < 6 + n + layout.iv + layout.tag) throw invalid();
  const keyId = new TextDecoder('utf-8', { fatal: false }).decode(blob.subarray(2, 2 + n));
  if (!/^[\x21-\x7e]+$/.test(keyId)) throw invalid();
  const version = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(2 + n);
  if (version < 1) throw invalid();
  const ivAt = 6 + n;
  return {
    format: blob[0] as BlobFormat,
    keyId,
    version,
    header: blob.subarray(0, ivAt),
    iv: blob.subarray(ivAt, ivAt + layout.iv),
    tag: blob.subarray(ivAt + layout.iv, ivAt + layout.iv + layout.tag),
    ciphertext: blob.subarray(ivAt + layout.iv + layout.tag),
  };
}
