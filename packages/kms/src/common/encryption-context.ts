/**
 * Encryption context: string pairs bound to a ciphertext as authenticated data. The encoding
 * is canonical and unambiguous: pairs sorted by the UTF-8 bytes of the key, each key and value
 * length-prefixed (docs/formats/kms-ciphertext-blob.md), so no two contexts encode alike.
 */
import { Exception, KmsError } from './kms-error.js';

export type EncryptionContext = Record<string, string>;

const encoder = new TextEncoder();

/** Checks the shape of an EncryptionContext parameter (an object of strings, or absent). */
export function readEncryptionContext(value: unknown, name = 'EncryptionContext'): EncryptionContext {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new KmsError(Exception.Validation, `${name} must be an object of string values`);
  const out: EncryptionContext = {};
  let size = 0;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new KmsError(Exception.Validation, `${name} value of "${k}" must be a string`);
    if (k.length === 0) throw new KmsError(Exception.Validation, `${name} keys must not be empty`);
    size += k.length + v.length;
    out[k] = v;
  }
  if (size > 8192) throw new KmsError(Exception.Validation, `${name} is larger than 8192 characters`);
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** u32 count, then per pair (sorted by key bytes): u32 key length, key, u32 value length, value. */
export function encodeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = Object.entries(context).map(([k, v]) => [encoder.encode(k), encoder.encode(v)] as const);
  pairs.sort((a, b) => compareBytes(a[0], b[0]));
  const size = 4 + pairs.reduce((n, [k, v]) => n + 8 + k.length + v.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length);
  let at = 4;
  for (const [k, v] of pairs) {
    view.setUint32(at, k.length);
    out.set(k, at + 4);
    at += 4 + k.length;
    view.setUint32(at, v.length);
    out.set(v, at + 4);
    at += 4 + v.length;
  }
  return out;
}
