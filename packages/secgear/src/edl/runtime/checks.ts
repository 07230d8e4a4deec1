/**
 * Value checks for generated EDL code (`secgear/edl-runtime`). Each checks a value arriving
 * from the other side of the boundary against the EDL and returns it typed, or throws
 * CC_ERROR_BAD_PARAMETERS naming the call (`w`), the value (`k`) and what was expected.
 * The names start with `$` as every generated internal does: C identifiers cannot, so they
 * never clash with the EDL's names. Each is small enough for V8 to inline on the hot path.
 */
import { ErrorCode, SecGearError } from '../../common/errors.js';

/** A pointer value from the other side: opaque, it can only be passed back (as the generated `EdlHandle`). */
export type EdlHandle = bigint & { readonly __edlHandle: true };

/** A typed array class, as `$view` rebuilds one. */
export interface ViewOf<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** A short description of a value for an error message (never the contents of a buffer or long string). */
export function $show(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `${Object.prototype.toString.call(v).slice(8, -1)} of ${v.byteLength} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
      return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    default:
      return typeof v;
  }
}

/** Throws CC_ERROR_BAD_PARAMETERS: `<w><k>: expected <what>, got <v>`. */
export function $bad(w: string, k: string, what: string, v: unknown): never {
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${w}${k}: expected ${what}, got ${$show(v)}`);
}

export function $i8(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && (v << 24) >> 24 === v) return v;
  return $bad(w, k, 'an int8 (-128..127)', v);
}

export function $u8(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && (v & 0xff) === v) return v;
  return $bad(w, k, 'a uint8 (0..255)', v);
}

export function $i16(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && (v << 16) >> 16 === v) return v;
  return $bad(w, k, 'an int16 (-32768..32767)', v);
}

export function $u16(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && (v & 0xffff) === v) return v;
  return $bad(w, k, 'a uint16 (0..65535)', v);
}

export function $i32(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && (v | 0) === v) return v;
  return $bad(w, k, 'an int32 (-2147483648..2147483647)', v);
}

export function $u32(v: unknown, w: string, k: string): number {
  if (typeof v === 'number' && v >>> 0 === v) return v;
  return $bad(w, k, 'a uint32 (0..4294967295)', v);
}

// comparisons with literals: no bigint allocated on the hot path
export function $i64(v: unknown, w: string, k: string): bigint {
  if (typeof v === 'bigint' && v >= -0x8000000000000000n && v <= 0x7fffffffffffffffn) return v;
  return $bad(w, k, 'an int64 as a bigint', v);
}

export function $u64(v: unknown, w: string, k: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v <= 0xffffffffffffffffn) return v;
  return $bad(w, k, 'a uint64 as a bigint', v);
}

export function $f32(v: unknown, w: string, k: string): number {
  if (typeof v === 'number') return Math.fround(v);
  return $bad(w, k, 'a number (float)', v);
}

export function $f64(v: unknown, w: string, k: string): number {
  if (typeof v === 'number') return v;
  return $bad(w, k, 'a number (double)', v);
}

export function $bool(v: unknown, w: string, k: string): boolean {
  if (typeof v === 'boolean') return v;
  return $bad(w, k, 'a boolean', v);
}

export function $handle(v: unknown, w: string, k: string): EdlHandle {
  if (typeof v === 'bigint' && v >= 0n && v <= 0xffffffffffffffffn) return v as EdlHandle;
  return $bad(w, k, 'an opaque handle (a uint64 bigint)', v);
}

/** An enum value travels by name. */
export function $enum(v: unknown, names: ReadonlySet<string>, w: string, k: string): string {
  if (typeof v === 'string' && names.has(v)) return v;
  return $bad(w, k, `one of ${[...names].join(', ')}`, v);
}

/** A C string: no NUL inside, and it must encode as UTF-8. */
export function $str(v: unknown, w: string, k: string): string {
  if (typeof v !== 'string') return $bad(w, k, 'a string', v);
  if (v.includes('\0')) return $bad(w, k, 'a string without NUL characters (C strings end at the first NUL)', v);
  if (!(v as unknown as { isWellFormed(): boolean }).isWellFormed()) return $bad(w, k, 'a well-formed string (no lone surrogates; it must encode as UTF-8)', v);
  return v;
}

/** UTF-8 length of a well-formed string, without encoding it. */
export function $utf8len(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** An [in, out, string] result must fit where C had strlen(original) + 1 bytes. */
export function $fits(s: string, original: string, w: string, k: string): string {
  if ($utf8len(s) > $utf8len(original)) return $bad(w, k, `a string of at most ${$utf8len(original)} UTF-8 bytes (the length passed in)`, s);
  return s;
}

/** A struct or a call result: a plain object (not null, an array or a buffer). */
export function $obj(v: unknown, w: string, k: string): Record<string, unknown> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)) return v as Record<string, unknown>;
  return $bad(w, k, 'an object', v);
}

/** An array of exactly `n` elements. */
export function $arr(v: unknown, n: number, w: string, k: string): unknown[] {
  if (Array.isArray(v) && v.length === n) return v;
  return $bad(w, k, `an array of ${n}`, v);
}

/** An array of any length up to `max` (maxBufferBytes) elements. */
export function $arrAny(v: unknown, max: number, w: string, k: string): unknown[] {
  if (Array.isArray(v) && v.length <= max) return v;
  return $bad(w, k, 'an array', v);
}

/** Exactly `n` bytes, as a private copy when they live in shared memory. */
export function $bytes(v: unknown, n: number, w: string, k: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== n) return $bad(w, k, `a Uint8Array of ${n} bytes`, v);
  // shared memory could change after the check: take a private copy
  return v.buffer instanceof ArrayBuffer ? v : v.slice();
}

/** Whole `unit`-byte elements, at most `max` (maxBufferBytes) bytes. */
export function $bytesAny(v: unknown, unit: number, max: number, w: string, k: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length % unit !== 0 || v.length > max) return $bad(w, k, `a Uint8Array of whole ${unit}-byte elements`, v);
  return v.buffer instanceof ArrayBuffer ? v : v.slice();
}

/** `n` elements of typed array `C`, carried as their bytes; rebuilt as a view. */
export function $view<T>(v: unknown, n: number, C: ViewOf<T>, w: string, k: string): T {
  const size = C.BYTES_PER_ELEMENT;
  if (!(v instanceof Uint8Array) || v.length !== n * size) return $bad(w, k, `${C.name} of ${n} elements (${n * size} bytes)`, v);
  // a private, aligned copy unless the bytes already are both
  const own = v.buffer instanceof ArrayBuffer && v.byteOffset % size === 0 ? v : v.slice();
  return new C(own.buffer as ArrayBuffer, own.byteOffset, n);
}

/** The wire form of a typed array other than Uint8Array: a Uint8Array over its bytes. */
export function $raw(v: unknown, C: abstract new (...args: never[]) => ArrayBufferView): unknown {
  return v instanceof C ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
}

/** A size or count from 0 to `max` (maxBufferBytes) as a number. */
export function $len(x: number | bigint, max: number, w: string, k: string): number {
  // a literal bound (the largest safe integer): no bigint allocated on the hot path, and
  // Number(x) is exact below it, so the comparison with max decides
  const n = typeof x === 'bigint' ? (x >= 0n && x <= 0x1fffffffffffffn ? Number(x) : -1) : x;
  if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  return $bad(w, k, `a size from 0 to ${max} bytes (maxBufferBytes)`, x);
}

/** count × size bytes as a number of `elemSize`-byte elements, at most `max` bytes. */
export function $elems(count: number, size: number, elemSize: number, max: number, w: string, k: string): number {
  const total = count * size;
  if (total > max) return $bad(w, k, `at most ${max} bytes (maxBufferBytes)`, total);
  if (total % elemSize !== 0) return $bad(w, k, `a whole number of ${elemSize}-byte elements`, total);
  return total / elemSize;
}

/** An integer (number or bigint) as a bigint, for exact size arithmetic. */
export function $bi(x: unknown, w: string, k: string): bigint {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isInteger(x)) return BigInt(x);
  return $bad(w, k, 'an integer', x);
}

/** Size arithmetic: division by zero gives -1 (refused as a size), not an exception. */
export function $div(a: bigint, b: bigint, op: '/' | '%'): bigint {
  if (b === 0n) return -1n;
  return op === '/' ? a / b : a % b;
}

/** The element count of a typed array or array (NaN for anything else, refused as a size). */
export function $count(v: unknown): number {
  const n = ArrayBuffer.isView(v) || Array.isArray(v) ? (v as { length?: unknown }).length : undefined;
  return typeof n === 'number' ? n : NaN;
}

/** An [out] parameter carries nothing in. */
export function $none(v: unknown, w: string, k: string): void {
  if (v !== null && v !== undefined) $bad(w, k, 'null (an [out] parameter carries nothing in)', v);
}

/** A void function's result. */
export function $void(v: unknown, w: string, k: string): void {
  if (v !== undefined && v !== null) $bad(w, k, 'nothing (the function returns void)', v);
}

/** Exactly `n` arguments. */
export function $args(a: unknown[], n: number, w: string): void {
  if (a.length !== n) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${w}: expected ${n} argument${n === 1 ? '' : 's'}, got ${a.length}`);
}
