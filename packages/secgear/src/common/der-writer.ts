/**
 * DER encoders (X.690): enough to write X.509 v3 certificates and extensions (the simulated
 * certificate authority, test PKIs). Reading DER lives in src/attest/pki/der.ts.
 */
import { concatBytes } from './bytes.js';

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** One TLV with a single-byte tag. */
export function derTlv(tag: number, value: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), lengthBytes(value.byteLength), value);
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => derTlv(0x30, concatBytes(...items));
export const derSet = (...items: Uint8Array[]): Uint8Array => derTlv(0x31, concatBytes(...items));
export const derNull = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const derBoolean = (value: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);
export const derOctetString = (value: Uint8Array): Uint8Array => derTlv(0x04, value);
export const derUtf8String = (text: string): Uint8Array => derTlv(0x0c, new TextEncoder().encode(text));

/** BIT STRING whose content is whole bytes (signatures, keys). */
export function derBitString(value: Uint8Array, unusedBits = 0): Uint8Array {
  return derTlv(0x03, concatBytes(Uint8Array.of(unusedBits), value));
}

/** Non-negative INTEGER from big-endian magnitude bytes (leading zeros dropped, sign byte added). */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.byteLength - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const body = trimmed.byteLength === 0 ? Uint8Array.of(0) : trimmed[0] & 0x80 ? concatBytes(Uint8Array.of(0), trimmed) : trimmed;
  return derTlv(0x02, body);
}

export function derSmallInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return derUnsignedInteger(Uint8Array.from(bytes));
}

export function derOid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let n = Math.floor(part / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return derTlv(0x06, Uint8Array.from(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
export function derTime(date: Date): Uint8Array {
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  if (year < 2050) return derTlv(0x17, new TextEncoder().encode(`${digits.slice(2)}Z`));
  return derTlv(0x18, new TextEncoder().encode(`${digits}Z`));
}

/** Context-specific tag `[n]`, constructed (EXPLICIT) or primitive (IMPLICIT). */
export function derContext(n: number, value: Uint8Array, constructed: boolean): Uint8Array {
  return derTlv(0x80 | (constructed ? 0x20 : 0) | n, value);
}
