/**
 * A compact binary codec for values crossing the switchless ring, where there is no
 * structured clone: undefined, null, booleans, numbers, bigints, strings (UTF-8), Uint8Array,
 * ArrayBuffer, arrays and plain objects. Byte layout: docs/formats/switchless-ring.md.
 * Encoding into a too-small target returns -1 (the caller takes the normal path instead).
 */
import { ErrorCode, SecGearError } from './errors.js';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_FLOAT64 = 4;
const T_INT32 = 5;
const T_STRING = 6;
const T_BYTES = 7;
const T_ARRAY = 8;
const T_OBJECT = 9;
const T_BIGINT = 10;
const T_ARRAYBUFFER = 11;

const MAX_DEPTH = 64;

class Overflow extends Error {}
const OVERFLOW = new Overflow();

/**
 * Writer over a byte region; `buf` is a Buffer view so strings encode natively. Single bytes go
 * through `bytes`, a plain Uint8Array over the same memory: in a locked-down enclave V8 keeps
 * its fast element stores for Uint8Array but not for Buffer (see spec-freeze.ts).
 */
class Writer {
  offset: number;
  end: number;
  readonly bytes: Uint8Array;
  constructor(
    readonly buf: Buffer,
    readonly view: DataView,
    start: number,
    end: number,
  ) {
    this.offset = start;
    this.end = end;
    this.bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.offset + n > this.end) throw OVERFLOW;
  }
  u8(v: number): void {
    this.need(1);
    this.bytes[this.offset++] = v;
  }
  u32(v: number): void {
    this.need(4);
    this.view.setUint32(this.offset, v, true);
    this.offset += 4;
  }
}

function write(w: Writer, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'value nested too deeply to cross the enclave boundary');
  switch (typeof value) {
    case 'undefined':
      return w.u8(T_UNDEFINED);
    case 'boolean':
      return w.u8(value ? T_TRUE : T_FALSE);
    case 'number':
      if ((value | 0) === value && !Object.is(value, -0)) {
        w.need(5);
        w.bytes[w.offset++] = T_INT32;
        w.view.setInt32(w.offset, value, true);
        w.offset += 4;
      } else {
        w.need(9);
        w.bytes[w.offset++] = T_FLOAT64;
        w.view.setFloat64(w.offset, value, true);
        w.offset += 8;
      }
      return;
    case 'bigint':
      return writeString(w, T_BIGINT, value.toString());
    case 'string':
      return writeString(w, T_STRING, value);
    case 'object': {
      if (value === null) return w.u8(T_NULL);
      if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
        const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
        w.need(5 + bytes.byteLength);
        w.bytes[w.offset++] = value instanceof Uint8Array ? T_BYTES : T_ARRAYBUFFER;
        w.view.setUint32(w.offset, bytes.byteLength, true);
        w.offset += 4;
        w.buf.set(bytes, w.offset);
        w.offset += bytes.byteLength;
        return;
      }
      if (Array.isArray(value)) {
        w.u8(T_ARRAY);
        w.u32(value.length);
        for (const item of value) write(w, item, depth + 1);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) {
        const keys = Object.keys(value);
        w.u8(T_OBJECT);
        w.u32(keys.length);
        for (const key of keys) {
          writeString(w, T_STRING, key);
          write(w, (value as Record<string, unknown>)[key], depth + 1);
        }
        return;
      }
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `a ${proto?.constructor?.name ?? 'value'} cannot cross a switchless call; pass plain data`);
    }
    default:
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `a ${typeof value} cannot cross the enclave boundary`);
  }
}

function writeString(w: Writer, tag: number, s: string): void {
  // worst case 3 bytes per UTF-16 unit; check the real length only when close to the end
  const max = s.length * 3;
  const length = w.offset + 5 + max <= w.end ? -1 : Buffer.byteLength(s);
  w.need(5 + (length < 0 ? 0 : length));
  w.bytes[w.offset] = tag;
  const written = w.buf.write(s, w.offset + 5, 'utf8');
  w.view.setUint32(w.offset + 1, written, true);
  w.offset += 5 + written;
}

/**
 * Encodes `value` into `buf[start, end)`. Returns the end offset, or -1 when it does not fit.
 * Throws CC_ERROR_BAD_PARAMETERS for values that cannot cross (functions, class instances).
 */
export function encodeInto(value: unknown, buf: Buffer, start: number, end: number): number {
  return encodeWith(new Writer(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), start, end), value);
}

function encodeWith(w: Writer, value: unknown): number {
  try {
    write(w, value, 0);
  } catch (error) {
    if (error === OVERFLOW) return -1;
    throw error;
  }
  return w.offset;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly view: DataView,
    public offset: number,
    public end: number,
  ) {}
  need(n: number): void {
    if (this.offset + n > this.end) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'truncated value in a switchless slot');
  }
}

function read(r: Reader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'value nested too deeply');
  r.need(1);
  const tag = r.buf[r.offset++];
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT32: {
      r.need(4);
      const v = r.view.getInt32(r.offset, true);
      r.offset += 4;
      return v;
    }
    case T_FLOAT64: {
      r.need(8);
      const v = r.view.getFloat64(r.offset, true);
      r.offset += 8;
      return v;
    }
    case T_STRING:
    case T_BIGINT: {
      const s = readString(r);
      if (tag === T_STRING) return s;
      if (!/^-?\d+$/.test(s)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'malformed bigint in a switchless slot');
      return BigInt(s);
    }
    case T_BYTES:
    case T_ARRAYBUFFER: {
      const length = readLength(r);
      r.need(length);
      // copy out of the shared ring: the slot is reused as soon as the call completes
      const copy = new Uint8Array(length);
      copy.set(r.buf.subarray(r.offset, r.offset + length));
      r.offset += length;
      return tag === T_BYTES ? copy : copy.buffer;
    }
    case T_ARRAY: {
      const count = readLength(r);
      if (count > r.end - r.offset) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'array length exceeds the slot');
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) out[i] = read(r, depth + 1);
      return out;
    }
    case T_OBJECT: {
      const count = readLength(r);
      if (count > r.end - r.offset) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'object size exceeds the slot');
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        r.need(1);
        if (r.buf[r.offset++] !== T_STRING) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'object key is not a string');
        const key = readString(r);
        const v = read(r, depth + 1);
        // define, never assign: a "__proto__" key must not change the prototype
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `unknown value tag ${tag} in a switchless slot`);
  }
}

function readLength(r: Reader): number {
  r.need(4);
  const n = r.view.getUint32(r.offset, true);
  r.offset += 4;
  return n;
}

function readString(r: Reader): string {
  const length = readLength(r);
  r.need(length);
  const s = r.buf.toString('utf8', r.offset, r.offset + length);
  r.offset += length;
  return s;
}

/** Decodes one value from `buf[start, end)`. Throws CC_ERROR_BAD_PARAMETERS on malformed input. */
export function decodeFrom(buf: Buffer, start: number, end: number): unknown {
  return decodeWith(new Reader(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), start, end));
}

function decodeWith(r: Reader): unknown {
  const value = read(r, 0);
  if (r.offset !== r.end) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'trailing bytes after a value in a switchless slot');
  return value;
}

/**
 * Encoder and decoder bound to one fixed region (a switchless slot), reusing their views so
 * the hot path allocates nothing but the decoded values.
 */
export class RegionCodec {
  private readonly writer: Writer;
  private readonly reader: Reader;

  constructor(readonly buf: Buffer) {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.writer = new Writer(buf, view, 0, buf.byteLength);
    this.reader = new Reader(buf, view, 0, buf.byteLength);
  }

  /** Encodes at the start of the region; returns the length, or -1 when it does not fit. */
  encode(value: unknown): number {
    this.writer.offset = 0;
    this.writer.end = this.buf.byteLength;
    return encodeWith(this.writer, value);
  }

  decode(length: number): unknown {
    this.reader.offset = 0;
    this.reader.end = length;
    return decodeWith(this.reader);
  }
}
