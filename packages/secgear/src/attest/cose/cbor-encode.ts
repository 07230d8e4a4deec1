import { ErrorCode, SecGearError } from '../../common/errors.js';
import { CborTag, type CborValue } from './cbor.js';

/**
 * A small deterministic CBOR encoder (RFC 8949 §4.2.1 preferred serialisation for integers
 * and lengths; map entries in insertion order). Used to build COSE `Sig_structure`s, whose
 * bytes must be exactly what the signer hashed, and to build test tokens.
 */
export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  write(out, value);
  return new Uint8Array(out);
}

function header(out: number[], major: number, arg: number | bigint): void {
  const m = major << 5;
  const n = typeof arg === 'bigint' ? arg : BigInt(arg);
  if (n < 0n) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'CBOR argument must be non-negative');
  if (n < 24n) out.push(m | Number(n));
  else if (n < 0x100n) out.push(m | 24, Number(n));
  else if (n < 0x10000n) out.push(m | 25, Number(n >> 8n), Number(n & 0xffn));
  else if (n < 0x100000000n) {
    out.push(m | 26);
    for (let shift = 24n; shift >= 0n; shift -= 8n) out.push(Number((n >> shift) & 0xffn));
  } else if (n < 0x10000000000000000n) {
    out.push(m | 27);
    for (let shift = 56n; shift >= 0n; shift -= 8n) out.push(Number((n >> shift) & 0xffn));
  } else throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'CBOR integer does not fit 64 bits');
}

function pushBytes(out: number[], bytes: Uint8Array): void {
  for (let i = 0; i < bytes.byteLength; i++) out.push(bytes[i]);
}

function write(out: number[], value: CborValue): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'floating-point values are not encoded');
    if (value >= 0) header(out, 0, value);
    else header(out, 1, -1 - value);
  } else if (typeof value === 'bigint') {
    if (value >= 0n) header(out, 0, value);
    else header(out, 1, -1n - value);
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    header(out, 3, bytes.byteLength);
    pushBytes(out, bytes);
  } else if (value instanceof Uint8Array) {
    header(out, 2, value.byteLength);
    pushBytes(out, value);
  } else if (Array.isArray(value)) {
    header(out, 4, value.length);
    for (const item of value) write(out, item);
  } else if (value instanceof Map) {
    header(out, 5, value.size);
    for (const [k, v] of value) {
      write(out, k);
      write(out, v);
    }
  } else if (value instanceof CborTag) {
    header(out, 6, value.tag);
    write(out, value.value);
  } else if (value === false) out.push(0xf4);
  else if (value === true) out.push(0xf5);
  else if (value === null) out.push(0xf6);
  else if (value === undefined) out.push(0xf7);
  else throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'value cannot be encoded as CBOR');
}

/** The encoded header (initial byte and argument) of an item of `major` type with `arg`. */
export function encodeCborHeader(major: number, arg: number): Uint8Array {
  const out: number[] = [];
  header(out, major, arg);
  return new Uint8Array(out);
}
