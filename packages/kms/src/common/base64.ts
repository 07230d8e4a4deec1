/** Blobs travel as standard padded base64 (RFC 4648 section 4), checked strictly. */
import { Exception, KmsError } from './kms-error.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64(value: unknown, name: string, limits: { min?: number; max?: number } = {}): Uint8Array {
  if (typeof value !== 'string') throw new KmsError(Exception.Validation, `${name} must be a base64 string`);
  if (!BASE64.test(value)) throw new KmsError(Exception.SerializationError, `${name} is not valid base64`);
  const bytes = new Uint8Array(Buffer.from(value, 'base64'));
  if (limits.min !== undefined && bytes.length < limits.min) throw new KmsError(Exception.Validation, `${name} must be at least ${limits.min} bytes`);
  if (limits.max !== undefined && bytes.length > limits.max) throw new KmsError(Exception.Validation, `${name} must be at most ${limits.max} bytes`);
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
