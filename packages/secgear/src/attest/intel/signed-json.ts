import { ErrorCode, SecGearError } from '../../common/errors.js';

/**
 * Intel PCS serves TCB Info and Enclave Identity as `{"tcbInfo": {...}, "signature": "<hex>"}`;
 * the signature covers the inner value "without whitespaces" (PCS API), i.e. the served bytes,
 * which have none. A stored copy that was pretty-printed verifies once the whitespace outside
 * strings is removed again (as Intel's QVL does). This scanner finds those bytes and compacts
 * them, never parsing-and-reprinting (which could change numbers, escapes or key order).
 */
export interface SignedJson {
  /** The exact served bytes of the inner value (what the signature covers). */
  body: Uint8Array;
  /** Raw ECDSA P-256 signature `r ‖ s` (64 bytes). */
  signature: Uint8Array;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_COLLATERAL, message);
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Scans one JSON value starting at `i` (after whitespace); returns the index just past it. */
function skipValue(t: Uint8Array, i: number, depth = 0): number {
  if (depth > 64) bad('JSON nested too deeply');
  const c = t[i];
  if (c === 0x22) return skipString(t, i);
  if (c === 0x7b || c === 0x5b) {
    const close = c === 0x7b ? 0x7d : 0x5d;
    i = skipWs(t, i + 1);
    if (t[i] === close) return i + 1;
    for (;;) {
      if (c === 0x7b) {
        if (t[i] !== 0x22) bad(`JSON: expected a key at byte ${i}`);
        i = skipWs(t, skipString(t, i));
        if (t[i] !== 0x3a) bad(`JSON: expected ":" at byte ${i}`);
        i = skipWs(t, i + 1);
      }
      i = skipWs(t, skipValue(t, i, depth + 1));
      if (t[i] === close) return i + 1;
      if (t[i] !== 0x2c) bad(`JSON: expected "," at byte ${i}`);
      i = skipWs(t, i + 1);
    }
  }
  let j = i;
  while (j < t.length && /[-+.0-9eEtruefalsn]/.test(String.fromCharCode(t[j]))) j++;
  if (j === i) bad(`JSON: unexpected byte at ${i}`);
  return j;
}

function skipString(t: Uint8Array, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    if (t[j] === 0x5c) j++;
    else if (t[j] === 0x22) return j + 1;
  }
  return bad('JSON: unterminated string');
}

function skipWs(t: Uint8Array, i: number): number {
  while (i < t.length && WS.has(t[i])) i++;
  return i;
}

/** The raw bytes of each top-level member of a JSON object, by key. */
export function topLevelMembers(text: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let i = skipWs(text, 0);
  if (text[i] !== 0x7b) bad('expected a JSON object');
  i = skipWs(text, i + 1);
  if (text[i] === 0x7d) return out;
  for (;;) {
    if (text[i] !== 0x22) bad(`JSON: expected a key at byte ${i}`);
    const keyEnd = skipString(text, i);
    const key = JSON.parse(Buffer.from(text.subarray(i, keyEnd)).toString('utf8')) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== 0x3a) bad(`JSON: expected ":" at byte ${i}`);
    i = skipWs(text, i + 1);
    const start = i;
    i = skipValue(text, i);
    out.set(key, text.subarray(start, i));
    i = skipWs(text, i);
    if (text[i] === 0x7d) break;
    if (text[i] !== 0x2c) bad(`JSON: expected "," at byte ${i}`);
    i = skipWs(text, i + 1);
  }
  if (skipWs(text, i + 1) !== text.length) bad('JSON: bytes after the top-level object');
  return out;
}

/**
 * The bytes with JSON's insignificant whitespace (outside strings) removed; strings, escapes,
 * numbers and key order are left exactly as they are. Compact input comes back unchanged.
 */
export function compactJson(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  let n = 0;
  let inString = false;
  for (let i = 0; i < bytes.byteLength; i++) {
    const c = bytes[i];
    if (inString) {
      out[n++] = c;
      if (c === 0x5c && i + 1 < bytes.byteLength) out[n++] = bytes[++i];
      else if (c === 0x22) inString = false;
    } else if (!WS.has(c)) {
      out[n++] = c;
      if (c === 0x22) inString = true;
    }
  }
  return n === bytes.byteLength ? bytes : out.slice(0, n);
}

/** Decodes a 64-byte hex signature string (`r ‖ s`). */
export function decodeSignatureHex(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{128}$/.test(value)) bad(`${what}: signature must be 128 hex digits (r ‖ s)`);
  return new Uint8Array(Buffer.from(value, 'hex'));
}

/** Splits a PCS response body into the signed inner value bytes and its signature. */
export function readSignedJson(served: Uint8Array, key: 'tcbInfo' | 'enclaveIdentity'): SignedJson {
  const members = topLevelMembers(served);
  const body = members.get(key);
  const signature = members.get('signature');
  if (!body) bad(`expected a "${key}" member (Intel PCS response body)`);
  if (!signature) bad(`the "${key}" response has no "signature" member`);
  if (body[0] !== 0x7b) bad(`"${key}" must be a JSON object`);
  return { body: compactJson(body), signature: decodeSignatureHex(JSON.parse(Buffer.from(signature).toString('utf8')), key) };
}
