/**
 * The little DER the SM2 formats need (SEQUENCE, INTEGER, OCTET STRING, BIT STRING, OID):
 * strict reading (definite minimal lengths, minimal positive integers) so one value has one
 * encoding, and writing of the same subset.
 */

export class DerError extends Error {}

export interface Tlv {
  tag: number;
  value: Uint8Array;
  /** Offset just after this element. */
  end: number;
}

export function readTlv(bytes: Uint8Array, at = 0): Tlv {
  if (at + 2 > bytes.length) throw new DerError('truncated DER element');
  const tag = bytes[at];
  let length = bytes[at + 1];
  let offset = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // lengths above 2^24 never occur here; 0x80 (indefinite) is not DER
    if (count < 1 || count > 3 || offset + count > bytes.length) throw new DerError('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + i];
    if (bytes[offset] === 0 || length < 0x80) throw new DerError('DER length is not minimal');
    offset += count;
  }
  if (offset + length > bytes.length) throw new DerError('DER element longer than its input');
  return { tag, value: bytes.subarray(offset, offset + length), end: offset + length };
}

/** The elements of a SEQUENCE that must fill `bytes` exactly. */
export function readSequence(bytes: Uint8Array): Tlv[] {
  const outer = readTlv(bytes);
  if (outer.tag !== 0x30 || outer.end !== bytes.length) throw new DerError('expected exactly one DER SEQUENCE');
  const items: Tlv[] = [];
  for (let at = 0; at < outer.value.length; ) {
    const item = readTlv(outer.value, at);
    items.push(item);
    at = item.end;
  }
  return items;
}

/** A non-negative INTEGER in minimal form. */
export function readUnsigned(item: Tlv): bigint {
  const v = item.value;
  if (item.tag !== 0x02 || v.length === 0) throw new DerError('expected a DER INTEGER');
  if (v[0] & 0x80) throw new DerError('negative DER INTEGER');
  if (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) throw new DerError('DER INTEGER is not minimal');
  return bytesToBigint(v);
}

export function readOctets(item: Tlv): Uint8Array {
  if (item.tag !== 0x04) throw new DerError('expected a DER OCTET STRING');
  return item.value;
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

export function bigintToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new DerError('integer does not fit');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  if (length < 0x10000) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  return Uint8Array.of(0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
}

export function tlv(tag: number, value: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.of(tag), encodeLength(value.length), value]);
}

export function derUnsigned(value: bigint): Uint8Array {
  if (value < 0n) throw new DerError('negative integer');
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes: Uint8Array = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Uint8Array.of(0), bytes]);
  return tlv(0x02, bytes);
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, Buffer.concat(items));
export const derOctets = (value: Uint8Array): Uint8Array => tlv(0x04, value);
