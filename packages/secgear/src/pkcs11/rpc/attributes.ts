/**
 * CK_ATTRIBUTE on the wire. The value encoding depends on the attribute type (p11-kit's
 * map): booleans as one byte, CK_ULONGs as u64, templates as nested attribute arrays,
 * CKA_ALLOWED_MECHANISMS as a u64 list, dates and everything else as byte arrays. The length
 * field carries the C length (1 for a CK_BBOOL, 8 for a CK_ULONG on LP64).
 */
import { CKA, CKF_ARRAY_ATTRIBUTE } from '../constants.js';
import { RpcDecodeError, type WireReader, type WireWriter } from './wire.js';

export type AttributeValue = boolean | number | Uint8Array | Attribute[] | number[];

export interface Attribute {
  type: number;
  value: AttributeValue;
}

/** One entry of a GetAttributeValue answer: a value, its length only (size query), or unavailable. */
export interface AttributeResult {
  type: number;
  /** -1 (CK_UNAVAILABLE_INFORMATION) when the attribute is invalid, sensitive or did not fit. */
  length: number;
  /** Absent for a size query or an unavailable attribute. */
  value?: AttributeValue;
}

/** One entry of a GetAttributeValue request: the type and how many bytes the caller has room for. */
export interface AttributeRequest {
  type: number;
  capacity: number;
}

export type ValueKind = 'bool' | 'ulong' | 'attrs' | 'mechs' | 'date' | 'bytes';

const BOOL_TYPES = new Set<number>([
  CKA.TOKEN, CKA.PRIVATE, CKA.TRUSTED, CKA.SENSITIVE, CKA.ENCRYPT, CKA.DECRYPT, CKA.WRAP, CKA.UNWRAP, CKA.SIGN,
  CKA.SIGN_RECOVER, CKA.VERIFY, CKA.VERIFY_RECOVER, CKA.DERIVE, CKA.EXTRACTABLE, CKA.LOCAL, CKA.NEVER_EXTRACTABLE,
  CKA.ALWAYS_SENSITIVE, CKA.MODIFIABLE, CKA.COPYABLE, 0x200 /* SECONDARY_AUTH */, CKA.ALWAYS_AUTHENTICATE,
  CKA.WRAP_WITH_TRUSTED, 0x301 /* RESET_ON_INIT */, 0x302 /* HAS_RESET */, 0x405 /* COLOR */,
]);
// CKA_DESTROYABLE is a CK_BBOOL too, but p11-kit maps it to a byte array; we follow the wire.
const ULONG_TYPES = new Set<number>([
  CKA.CLASS, CKA.CERTIFICATE_TYPE, CKA.CERTIFICATE_CATEGORY, 0x88 /* JAVA_MIDP_SECURITY_DOMAIN */, CKA.KEY_TYPE,
  CKA.MODULUS_BITS, 0x133 /* PRIME_BITS */, 0x134 /* SUB_PRIME_BITS */, 0x160 /* VALUE_BITS */, CKA.VALUE_LEN,
  CKA.KEY_GEN_MECHANISM, 0x201 /* AUTH_PIN_FLAGS */, 0x300 /* HW_FEATURE_TYPE */, 0x400, 0x401, 0x402, 0x403, 0x404,
  0x406 /* BITS_PER_PIXEL */, 0x500 /* MECHANISM_TYPE */,
]);

export function valueKind(type: number): ValueKind {
  if (BOOL_TYPES.has(type)) return 'bool';
  if (ULONG_TYPES.has(type)) return 'ulong';
  if (type === CKA.WRAP_TEMPLATE || type === CKA.UNWRAP_TEMPLATE || type === CKA.DERIVE_TEMPLATE) return 'attrs';
  if (type === CKA.ALLOWED_MECHANISMS) return 'mechs';
  if (type === CKA.START_DATE || type === CKA.END_DATE) return 'date';
  return 'bytes';
}

const CK_ATTRIBUTE_SIZE = 24; // sizeof(CK_ATTRIBUTE) on LP64: the length p11-kit reports for templates
export const MAX_DEPTH = 8;

/** The C length of a value (what CK_ATTRIBUTE.ulValueLen would say). */
export function valueLength(type: number, value: AttributeValue): number {
  switch (valueKind(type)) {
    case 'bool': return 1;
    case 'ulong': return 8;
    case 'attrs': return (value as Attribute[]).length * CK_ATTRIBUTE_SIZE;
    case 'mechs': return (value as number[]).length * 8;
    default: return (value as Uint8Array).byteLength;
  }
}

function checkValue(type: number, value: AttributeValue): void {
  const kind = valueKind(type);
  const ok =
    kind === 'bool' ? typeof value === 'boolean'
    : kind === 'ulong' ? typeof value === 'number'
    : kind === 'attrs' ? Array.isArray(value) && value.every((a) => typeof a === 'object')
    : kind === 'mechs' ? Array.isArray(value) && value.every((m) => typeof m === 'number')
    : value instanceof Uint8Array;
  if (!ok) throw new TypeError(`attribute 0x${type.toString(16)} needs a ${kind} value`);
}

function writeValue(w: WireWriter, type: number, value: AttributeValue | undefined): void {
  switch (valueKind(type)) {
    case 'bool': w.byte(value === true ? 1 : 0); break;
    case 'ulong': w.u64(typeof value === 'number' ? value : 0); break;
    case 'attrs': {
      const list = (value as Attribute[] | undefined) ?? [];
      w.u32(list.length);
      for (const a of list) writeAttribute(w, a);
      break;
    }
    case 'mechs': {
      const list = (value as number[] | undefined) ?? [];
      w.u32(list.length);
      for (const m of list) w.u64(m);
      break;
    }
    default: w.byteArray((value as Uint8Array | undefined) ?? null);
  }
}

export function writeAttribute(w: WireWriter, attr: Attribute): void {
  checkValue(attr.type, attr.value);
  w.u32(attr.type).byte(1).u32(valueLength(attr.type, attr.value));
  writeValue(w, attr.type, attr.value);
}

/** "aA" with values (CreateObject templates, and our own sealed object records). */
export function writeAttributeArray(w: WireWriter, attrs: readonly Attribute[]): void {
  w.u32(attrs.length);
  for (const a of attrs) writeAttribute(w, a);
}

/** "aA" in a GetAttributeValue answer. */
export function writeAttributeResults(w: WireWriter, results: readonly AttributeResult[]): void {
  w.u32(results.length);
  for (const r of results) {
    w.u32(r.type);
    if (r.length < 0) {
      w.byte(0);
      continue;
    }
    w.byte(1).u32(r.length);
    writeValue(w, r.type, r.value);
  }
}

function readValue(r: WireReader, type: number, length: number, depth: number): AttributeValue {
  switch (valueKind(type)) {
    case 'bool': return r.byte() !== 0;
    case 'ulong': return r.u64();
    case 'attrs': {
      if (depth >= MAX_DEPTH) throw new RpcDecodeError('attribute templates nested too deeply');
      return readAttributeList(r, depth + 1);
    }
    case 'mechs': {
      const count = r.u32();
      if (count * 8 > r.remaining) throw new RpcDecodeError(`mechanism list of ${count} entries does not fit in the message`);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(r.u64());
      return out;
    }
    default: {
      const bytes = r.byteArray();
      if (bytes && bytes.byteLength > length) throw new RpcDecodeError(`attribute 0x${type.toString(16)} is longer than its length field`);
      return bytes ? bytes.slice() : new Uint8Array(0);
    }
  }
}

function readAttributeList(r: WireReader, depth: number): Attribute[] {
  const count = r.u32();
  if (count * 5 > r.remaining) throw new RpcDecodeError(`attribute array of ${count} entries does not fit in the message`);
  const out: Attribute[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u32();
    if (r.byte() === 0) throw new RpcDecodeError(`attribute 0x${type.toString(16)} in a template has no value`);
    const length = r.u32();
    out.push({ type, value: readValue(r, type, length, depth) });
  }
  return out;
}

/** "aA" with values, as CreateObject, GenerateKey and FindObjectsInit send it. */
export function readAttributeArray(r: WireReader): Attribute[] {
  return readAttributeList(r, 0);
}

/** "aA" in a GetAttributeValue answer (the client side). */
export function readAttributeResults(r: WireReader): AttributeResult[] {
  const count = r.u32();
  if (count * 5 > r.remaining) throw new RpcDecodeError(`attribute array of ${count} entries does not fit in the message`);
  const out: AttributeResult[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u32();
    if (r.byte() === 0) {
      out.push({ type, length: -1 });
      continue;
    }
    const length = r.u32();
    const kind = valueKind(type);
    const value = readValue(r, type, length, 0);
    // a size-only answer carries a placeholder: a null byte array, or zero for fixed-size kinds
    const sizeOnly = (kind === 'bytes' || kind === 'date') && (value as Uint8Array).byteLength === 0 && length > 0;
    out.push(sizeOnly ? { type, length } : { type, length, value });
  }
  return out;
}

/** "fA": the types asked for and the room the caller has for each (nested templates counted, not kept). */
export function readAttributeRequests(r: WireReader, depth = 0): AttributeRequest[] {
  if (depth > MAX_DEPTH) throw new RpcDecodeError('attribute buffers nested too deeply');
  const count = r.u32();
  if (count * 8 > r.remaining) throw new RpcDecodeError(`attribute buffer of ${count} entries does not fit in the message`);
  const out: AttributeRequest[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u32();
    const capacity = r.u32();
    if (capacity !== 0 && (type & CKF_ARRAY_ATTRIBUTE) !== 0) readAttributeRequests(r, depth + 1);
    out.push({ type, capacity });
  }
  return out;
}

export function writeAttributeRequests(w: WireWriter, requests: readonly AttributeRequest[]): void {
  w.u32(requests.length);
  for (const q of requests) {
    if ((q.type & CKF_ARRAY_ATTRIBUTE) !== 0 && q.capacity !== 0) throw new TypeError('template attributes are read with capacity 0 first');
    w.u32(q.type).u32(q.capacity);
  }
}
