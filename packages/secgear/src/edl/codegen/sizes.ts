/**
 * Element counts of copied buffers, computed the same way on both sides of the boundary:
 * total bytes = count × (size ?? sizeof(*p)), elements = total / sizeof(elem). Arithmetic on
 * names runs in bigint (exact, like C's size_t but without wrap-around) and is bounded by
 * maxBufferBytes, so a hostile size cannot make the receiver allocate without limit.
 */
import type { SourceLocation } from '../diagnostics.js';
import type { BufferShape, SizeTerm } from '../model.js';
import type { HelperSet } from './helpers.js';

export interface SizeRefs {
  /** Code for the (already checked) value of a parameter or member. */
  ref(name: string): string;
}

/** Generation-time failure with a message for a diagnostic (`loc` set by the caller that knows it). */
export class SizeLimitError extends Error {
  loc: SourceLocation | null = null;
}

/** Runs `f`, labelling a SizeLimitError with where it happened. */
export function locating<T>(what: string, loc: SourceLocation, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof SizeLimitError && !error.loc) {
      error.message = `${what}: ${error.message}`;
      error.loc = loc;
    }
    throw error;
  }
}

function bigintExpr(t: SizeTerm, refs: SizeRefs, h: HelperSet, w: string, k: string): string {
  switch (t.kind) {
    case 'num':
      return `${t.value}n`;
    case 'ref':
      return `${h.use('bi')}(${refs.ref(t.name)}, ${w}, ${k})`;
    case 'neg':
      return `(-${bigintExpr(t.operand, refs, h, w, k)})`;
    case 'bin': {
      const l = bigintExpr(t.left, refs, h, w, k);
      const r = bigintExpr(t.right, refs, h, w, k);
      return t.op === '/' || t.op === '%' ? `${h.use('div')}(${l}, ${r}, '${t.op}')` : `(${l} ${t.op} ${r})`;
    }
  }
}

/** Code (or a constant) for a size/count term as a checked non-negative number. */
function termCode(t: SizeTerm, refs: SizeRefs, h: HelperSet, w: string, k: string, maxBytes: number): string | number {
  if (t.kind === 'num') {
    if (t.value < 0n || t.value > BigInt(maxBytes)) throw new SizeLimitError(`constant size ${t.value} is outside 0..${maxBytes} (maxBufferBytes)`);
    return Number(t.value);
  }
  if (t.kind === 'ref') return `${h.use('len')}(${refs.ref(t.name)}, $MAX, ${w}, ${k})`;
  return `${h.use('len')}(${bigintExpr(t, refs, h, w, k)}, $MAX, ${w}, ${k})`;
}

/**
 * The number of elements a (non-single, fixed-length) buffer holds: a number when constant,
 * else code. `w`/`k` are code for the error location.
 */
export function elementCount(shape: BufferShape, refs: SizeRefs, w: string, k: string, h: HelperSet, maxBytes = DEFAULT_MAX_BUFFER_BYTES): string | number {
  const count = shape.count ? termCode(shape.count, refs, h, w, k, maxBytes) : 1;
  const size = shape.size ? termCode(shape.size, refs, h, w, k, maxBytes) : shape.unitSize;
  if (typeof count === 'number' && typeof size === 'number') {
    const total = count * size;
    if (total > maxBytes) throw new SizeLimitError(`a buffer of ${total} bytes exceeds maxBufferBytes (${maxBytes})`);
    if (total % shape.elemSize !== 0) throw new SizeLimitError(`${total} bytes is not a whole number of ${shape.elemSize}-byte elements`);
    return total / shape.elemSize;
  }
  if (!shape.count && shape.elemSize === 1) return size;
  return `${h.use('elems')}(${count}, ${size}, ${shape.elemSize}, $MAX, ${w}, ${k})`;
}

export const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024;
