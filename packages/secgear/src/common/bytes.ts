import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, SecGearError } from './errors.js';

/** Lower-case hex of bytes. Hex is for the edges only (CLI, JSON). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses hex (an optional 0x prefix allowed); throws CC_ERROR_BAD_PARAMETERS on bad input. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `not a hex string: "${hex.slice(0, 40)}"; pass an even number of 0-9a-f digits`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** Constant-time equality for secrets (MACs, keys). Different lengths compare unequal. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}

/** Non-secret equality (digests of public data, identifiers). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A copy of `bytes` as a plain Uint8Array with its own memory. Use it for caller input that is
 * kept or wiped later: `.slice()` on a Node Buffer returns a view of the caller's memory, so
 * wiping "the copy" would wipe theirs.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Overwrites a secret buffer in place. JavaScript cannot promise no other copy exists. */
export function zeroize(bytes: Uint8Array): void {
  bytes.fill(0);
}

/** True for a Uint8Array from any realm (values that crossed a worker or vm boundary included). */
export function isBytes(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** A view of a Uint8Array as Buffer without copying (for node APIs that want Buffer). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** JSON.stringify replacer that prints Uint8Array as hex and bigint as decimal strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
