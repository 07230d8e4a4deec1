import { ErrorCode, SecGearError } from '../../common/errors.js';

/** One DER TLV: tag byte (class/constructed/number as one byte), value bounds, and the whole element. */
export interface DerNode {
  tag: number;
  /** Offset of the first value byte in `bytes`. */
  start: number;
  /** Offset just past the value. */
  end: number;
  /** Offset of the tag byte. */
  headerStart: number;
  bytes: Uint8Array;
}

function fail(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `malformed DER: ${message}`);
}

/** Reads the TLV at `offset`. Supports single-byte tags (all that X.509 and the TEE formats use). */
export function readDer(bytes: Uint8Array, offset = 0, limit = bytes.byteLength): DerNode {
  if (offset + 2 > limit) fail(`truncated header at offset ${offset}`);
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) fail(`multi-byte tag at offset ${offset} is not supported`);
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) fail(`unsupported length encoding at offset ${offset}`);
    if (start + count > limit) fail(`truncated length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) fail(`element at offset ${offset} runs past its container (${end} > ${limit})`);
  return { tag, start, end, headerStart: offset, bytes };
}

/** The children of a constructed node (SEQUENCE, SET, context tags). */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let offset = node.start;
  while (offset < node.end) {
    const child = readDer(node.bytes, offset, node.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

export function derValue(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.start, node.end);
}

/** The whole element (header and value). */
export function derElement(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.headerStart, node.end);
}

/** Decodes an OBJECT IDENTIFIER value to dotted form. */
export function decodeOid(value: Uint8Array): string {
  if (value.byteLength === 0) fail('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < value.byteLength; i++) {
    acc = acc * 128 + (value[i] & 0x7f);
    if (!(value[i] & 0x80)) {
      parts.push(acc);
      acc = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** Decodes a non-negative INTEGER value that fits a JS number. */
export function decodeSmallInt(value: Uint8Array): number {
  if (value.byteLength === 0 || value.byteLength > 6) fail('integer out of range');
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

/** Finds the extension with `oid` in a certificate (DER) and returns its extnValue contents. */
export function findCertificateExtension(certificateDer: Uint8Array, oid: string): Uint8Array | null {
  const cert = readDer(certificateDer);
  const tbs = derChildren(cert)[0];
  if (!tbs) fail('certificate has no tbsCertificate');
  for (const field of derChildren(tbs)) {
    if (field.tag !== 0xa3) continue; // [3] extensions
    const list = derChildren(field)[0];
    if (!list) return null;
    for (const ext of derChildren(list)) {
      const parts = derChildren(ext);
      if (parts[0]?.tag === 0x06 && decodeOid(derValue(parts[0])) === oid) {
        const value = parts[parts.length - 1];
        return derValue(value);
      }
    }
  }
  return null;
}
