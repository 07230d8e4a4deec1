/**
 * The CiphertextBlob of symmetric keys (docs/formats/kms-ciphertext-blob.md): it names the key
 * and key version that made it, so Decrypt needs no KeyId and data from before a rotation still
 * decrypts.
 *
 *   0      1     format version (1)
 *   1      1     key id length n (1..64)
 *   2      n     key id (ASCII)
 *   2+n    4     key version (big-endian u32, from 1)
 *   6+n    12    AES-GCM IV
 *   18+n   16    AES-GCM tag
 *   34+n   ...   ciphertext
 *
 * Authenticated data: bytes 0..6+n (the header) followed by the encoded encryption context.
 */
import { Exception, KmsError } from './kms-error.js';

export const BLOB_FORMAT_VERSION = 1;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;

export interface CiphertextHeader {
  keyId: string;
  version: number;
}

export interface ParsedCiphertext extends CiphertextHeader {
  header: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
  ciphertext: Uint8Array;
}

export function encodeHeader(keyId: string, version: number): Uint8Array {
  const id = new TextEncoder().encode(keyId);
  if (id.length < 1 || id.length > 64) throw new KmsError(Exception.Internal, 'key id length out of range', 500);
  const header = new Uint8Array(6 + id.length);
  header[0] = BLOB_FORMAT_VERSION;
  header[1] = id.length;
  header.set(id, 2);
  new DataView(header.buffer).setUint32(2 + id.length, version);
  return header;
}

const invalid = () => new KmsError(Exception.InvalidCiphertext, 'the ciphertext is not an EKMS ciphertext blob, or it was altered');

export function parseCiphertext(blob: Uint8Array): ParsedCiphertext {
  if (blob.length < 2 || blob[0] !== BLOB_FORMAT_VERSION) throw invalid();
  const n = blob[1];
  if (n < 1 || n > 64 || blob.length < 6 + n + IV_LENGTH + TAG_LENGTH) throw invalid();
  const keyId = new TextDecoder('utf-8', { fatal: false }).decode(blob.subarray(2, 2 + n));
  if (!/^[\x21-\x7e]+$/.test(keyId)) throw invalid();
  const version = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(2 + n);
  if (version < 1) throw invalid();
  const ivAt = 6 + n;
  return {
    keyId,
    version,
    header: blob.subarray(0, ivAt),
    iv: blob.subarray(ivAt, ivAt + IV_LENGTH),
    tag: blob.subarray(ivAt + IV_LENGTH, ivAt + IV_LENGTH + TAG_LENGTH),
    ciphertext: blob.subarray(ivAt + IV_LENGTH + TAG_LENGTH),
  };
}
