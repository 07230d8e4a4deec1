import { ErrorCode, SecGearError } from '../../common/errors.js';

/**
 * A strict CBOR (RFC 8949) decoder for attestation evidence. Evidence is hostile input, so:
 * definite lengths only, no duplicate map keys, map keys are integers or text, nesting is
 * bounded, and every length is checked against the bytes that remain before anything is
 * allocated. Byte strings are views into the input (no copies), so callers can hash or verify
 * the exact bytes that were received.
 */

/** A CBOR tag and its content (tag 18 = COSE_Sign1, 399 = CCA collection, ...). */
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export type CborKey = number | bigint | string;
export type CborMap = Map<CborKey, CborValue>;
export type CborValue = number | bigint | string | Uint8Array | boolean | null | undefined | CborValue[] | CborMap | CborTag;

export interface CborHeader {
  /** Major type 0..7. */
  major: number;
  /** The argument: a value, a length or a tag number (bigint when above 2^53). */
  arg: number | bigint;
  /** Additional information (low five bits of the initial byte). */
  info: number;
  /** Offset just past the header. */
  end: number;
}

const MAX_DEPTH = 32;

function fail(message: string, offset: number): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `malformed CBOR at offset ${offset}: ${message}`);
}

/** Reads the initial byte and argument of the item at `offset`. */
export function readCborHeader(bytes: Uint8Array, offset: number): CborHeader {
  if (offset >= bytes.byteLength) fail('unexpected end of input', offset);
  const initial = bytes[offset];
  const major = initial >> 5;
  const info = initial & 0x1f;
  let end = offset + 1;
  let arg: number | bigint;
  if (info < 24) arg = info;
  else if (info <= 27) {
    const size = 1 << (info - 24);
    if (end + size > bytes.byteLength) fail('truncated header', offset);
    if (size === 8) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + end, 8);
      const big = view.getBigUint64(0);
      arg = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    } else {
      let n = 0;
      for (let i = 0; i < size; i++) n = n * 256 + bytes[end + i];
      arg = n;
    }
    end += size;
  } else if (info === 31) fail(major === 7 ? 'unexpected break' : 'indefinite-length items are not supported', offset);
  else fail(`reserved additional information ${info}`, offset);
  return { major, arg, info, end };
}

/** A length argument as a number bounded by the bytes that remain. */
function boundedLength(header: CborHeader, available: number, offset: number, what: string): number {
  if (typeof header.arg === 'bigint' || header.arg > available) fail(`${what} length ${header.arg} exceeds the ${available} bytes left`, offset);
  return header.arg;
}

function decodeItem(bytes: Uint8Array, offset: number, depth: number): { value: CborValue; end: number } {
  if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`, offset);
  const header = readCborHeader(bytes, offset);
  const { major, arg } = header;
  let end = header.end;
  switch (major) {
    case 0:
      return { value: arg, end };
    case 1:
      return { value: typeof arg === 'bigint' || arg >= Number.MAX_SAFE_INTEGER ? -1n - BigInt(arg) : -1 - arg, end };
    case 2:
    case 3: {
      const length = boundedLength(header, bytes.byteLength - end, offset, major === 2 ? 'byte string' : 'text string');
      const slice = bytes.subarray(end, end + length);
      end += length;
      if (major === 2) return { value: slice, end };
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(slice);
      } catch {
        fail('text string is not valid UTF-8', offset);
      }
      return { value: text, end };
    }
    case 4: {
      // every element takes at least one byte
      const count = boundedLength(header, bytes.byteLength - end, offset, 'array');
      const items: CborValue[] = [];
      for (let i = 0; i < count; i++) {
        const item = decodeItem(bytes, end, depth + 1);
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    case 5: {
      const count = boundedLength(header, Math.floor((bytes.byteLength - end) / 2), offset, 'map');
      const map: CborMap = new Map();
      for (let i = 0; i < count; i++) {
        const keyOffset = end;
        const key = decodeItem(bytes, end, depth + 1);
        if (typeof key.value !== 'number' && typeof key.value !== 'bigint' && typeof key.value !== 'string') {
          fail('map key is not an integer or a text string', keyOffset);
        }
        if (map.has(key.value)) fail(`duplicate map key ${String(key.value)}`, keyOffset);
        const value = decodeItem(bytes, key.end, depth + 1);
        map.set(key.value, value.value);
        end = value.end;
      }
      return { value: map, end };
    }
    case 6: {
      if (typeof arg === 'bigint') fail('tag number out of range', offset);
      const inner = decodeItem(bytes, end, depth + 1);
      return { value: new CborTag(arg, inner.value), end: inner.end };
    }
    default: {
      if (header.info === 20) return { value: false, end };
      if (header.info === 21) return { value: true, end };
      if (header.info === 22) return { value: null, end };
      if (header.info === 23) return { value: undefined, end };
      if (header.info === 25) return { value: halfToNumber(Number(arg)), end };
      if (header.info === 26) return { value: new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 4).getFloat32(0), end };
      if (header.info === 27) return { value: new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 8).getFloat64(0), end };
      return fail(`unsupported simple value ${String(arg)}`, offset);
    }
  }
}

function halfToNumber(half: number): number {
  const exp = (half >> 10) & 0x1f;
  const mant = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (mant + 1024) * 2 ** (exp - 25);
}

/** Decodes one item that must fill `bytes` exactly. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const { value, end } = decodeItem(bytes, 0, 0);
  if (end !== bytes.byteLength) fail(`${bytes.byteLength - end} trailing bytes after the item`, end);
  return value;
}

/** Decodes the item at `offset` and returns it with the offset just past it. */
export function decodeCborAt(bytes: Uint8Array, offset: number): { value: CborValue; end: number } {
  return decodeItem(bytes, offset, 0);
}

/** The offset just past the item at `offset` (validating it on the way). */
export function cborItemEnd(bytes: Uint8Array, offset: number): number {
  return decodeItem(bytes, offset, 0).end;
}
