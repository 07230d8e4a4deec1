/**
 * p11-kit RPC messages: a u32 call id, the call's signature as a byte array, then the
 * arguments in signature order (docs/formats/p11-kit-rpc.md). One codec for both sides:
 * the token decodes requests and encodes responses; the TypeScript client does the reverse.
 */
import { readAttributeArray, readAttributeRequests, readAttributeResults, writeAttributeArray, writeAttributeRequests, writeAttributeResults, type Attribute, type AttributeRequest, type AttributeResult } from './attributes.js';
import { RPC_CALLS, type RpcCall } from './calls.js';
import { readMechanism, writeMechanism, type Mechanism } from './mechanism.js';
import { RpcDecodeError, WireReader, WireWriter } from './wire.js';

/** "fy" / "fu": whether the caller passed a buffer, and how many elements it holds. */
export interface OutBuffer {
  present: boolean;
  capacity: number;
}

/** An "ay" / "au" answer that carries only the length (size query, or the buffer was too small). */
export interface LengthOnly {
  lengthOnly: number;
}

export type RpcArg =
  | number
  | Uint8Array
  | null
  | OutBuffer
  | LengthOnly
  | number[]
  | Attribute[]
  | AttributeRequest[]
  | AttributeResult[]
  | Mechanism
  | readonly [number, number];

const TOKENS = /^(ay|au|aA|fy|fu|fA|u|y|M|z|s|v|P)/;

const signatureCache = new Map<string, string[]>();
export function signatureTokens(signature: string): string[] {
  let cached = signatureCache.get(signature);
  if (cached) return cached;
  cached = [];
  let rest = signature;
  while (rest) {
    const m = TOKENS.exec(rest);
    if (!m) throw new Error(`bad signature ${signature}`);
    cached.push(m[1]);
    rest = rest.slice(m[1].length);
  }
  signatureCache.set(signature, cached);
  return cached;
}

const textEncoder = new TextEncoder();
const signatureBytes = new Map<string, Uint8Array>();
function sigBytes(signature: string): Uint8Array {
  let b = signatureBytes.get(signature);
  if (!b) signatureBytes.set(signature, (b = textEncoder.encode(signature)));
  return b;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lowest protocol version a call needs (C_InitToken2 came with 1, C_DeriveKey2 with 2). */
export function minimumVersion(call: RpcCall): number {
  return call.name === 'C_DeriveKey2' ? 2 : call.name === 'C_InitToken2' ? 1 : 0;
}

/** A frame whose header (call id, signature) is wrong: the connection cannot continue. */
export class RpcFramingError extends RpcDecodeError {}

/** A call id past the table (a newer client): answered CKR_FUNCTION_NOT_SUPPORTED, the frame skipped. */
export class RpcUnknownCallError extends RpcDecodeError {}

export interface DecodedRequest {
  call: RpcCall;
  args: RpcArg[];
}

/**
 * Decodes a request body. A bad call id or signature throws `RpcFramingError`; a bad argument
 * throws `RpcDecodeError` (the caller answers CKR_DEVICE_ERROR, as p11-kit does).
 */
export function decodeRequest(body: Uint8Array, version: number): DecodedRequest {
  const r = new WireReader(body);
  let id: number;
  let signature: Uint8Array | null;
  try {
    id = r.u32();
    signature = r.byteArray();
  } catch (error) {
    throw new RpcFramingError((error as Error).message);
  }
  const call = RPC_CALLS[id];
  if (id === 0) throw new RpcFramingError('a request cannot be an ERROR message');
  if (call === undefined) throw new RpcUnknownCallError(`unknown call id ${id}`);
  if (signature === null || !sameBytes(signature, sigBytes(call.request))) throw new RpcFramingError(`${call.name}: the signature does not match`);
  if (minimumVersion(call) > version) throw new RpcFramingError(`${call.name} needs protocol version ${minimumVersion(call)}, this connection speaks ${version}`);
  return { call, args: readArgs(r, call.request, version, 'request') };
}

function readArgs(r: WireReader, signature: string, version: number, side: 'request' | 'response'): RpcArg[] {
  const args: RpcArg[] = [];
  for (const t of signatureTokens(signature)) {
    switch (t) {
      case 'u': args.push(r.u64()); break;
      case 'y': args.push(r.byte()); break;
      case 'ay': {
        const valid = r.byte();
        if (valid === 0) {
          const n = r.u32();
          args.push(side === 'response' ? { lengthOnly: n } : null);
        } else {
          const bytes = r.byteArray();
          args.push(bytes ? bytes.slice() : null);
        }
        break;
      }
      case 'au': {
        const valid = r.byte();
        const n = r.u32();
        if (valid === 0) {
          args.push({ lengthOnly: n });
          break;
        }
        if (n * 8 > r.remaining) throw new RpcDecodeError(`ulong array of ${n} entries does not fit in the message`);
        const list: number[] = [];
        for (let i = 0; i < n; i++) list.push(r.u64());
        args.push(list);
        break;
      }
      case 'fy':
      case 'fu': {
        const n = r.u32();
        args.push(n === 0xffffffff ? { present: true, capacity: 0 } : { present: n !== 0, capacity: n });
        break;
      }
      case 'aA': args.push(side === 'request' ? readAttributeArray(r) : readAttributeResults(r)); break;
      case 'fA': args.push(readAttributeRequests(r)); break;
      case 'M': {
        const m = readMechanism(r, version);
        args.push(m);
        break;
      }
      case 'z':
      case 's': {
        const bytes = r.byteArray();
        if (bytes === null) throw new RpcDecodeError('a string is missing');
        args.push(bytes.slice());
        break;
      }
      case 'v': args.push([r.byte(), r.byte()] as const); break;
      case 'P': {
        // DeriveKey2's parameter update: a presence byte; no mechanism we know sends more
        args.push(r.byte());
        break;
      }
    }
  }
  if (r.remaining !== 0) throw new RpcDecodeError(`${r.remaining} unexpected bytes after the arguments`);
  return args;
}

function writeArgs(w: WireWriter, signature: string, args: readonly RpcArg[], version: number, side: 'request' | 'response'): void {
  const tokens = signatureTokens(signature);
  if (tokens.length !== args.length) throw new TypeError(`signature ${signature} needs ${tokens.length} values, got ${args.length}`);
  tokens.forEach((t, i) => {
    const a = args[i];
    switch (t) {
      case 'u': w.u64(a as number); break;
      case 'y': w.byte(a as number); break;
      case 'ay': {
        if (a === null) w.byte(0).u32(0);
        else if (a instanceof Uint8Array) w.byte(1).byteArray(a);
        else w.byte(0).u32((a as LengthOnly).lengthOnly);
        break;
      }
      case 'au': {
        if (Array.isArray(a)) {
          w.byte(1).u32(a.length);
          for (const v of a as number[]) w.u64(v);
        } else w.byte(0).u32((a as LengthOnly).lengthOnly);
        break;
      }
      case 'fy':
      case 'fu': {
        const b = a as OutBuffer;
        w.u32(!b.present ? 0 : b.capacity === 0 ? 0xffffffff : b.capacity);
        break;
      }
      case 'aA':
        if (side === 'request') writeAttributeArray(w, a as Attribute[]);
        else writeAttributeResults(w, a as AttributeResult[]);
        break;
      case 'fA': writeAttributeRequests(w, a as AttributeRequest[]); break;
      case 'M': writeMechanism(w, a as Mechanism | null, version); break;
      case 'z':
      case 's': w.byteArray(a as Uint8Array); break;
      case 'v': w.byte((a as readonly [number, number])[0]).byte((a as readonly [number, number])[1]); break;
      case 'P': w.byte(a as number); break;
    }
  });
}

export function encodeResponse(call: RpcCall, values: readonly RpcArg[], version: number): Uint8Array {
  const w = new WireWriter().u32(call.id).byteArray(sigBytes(call.response));
  writeArgs(w, call.response, values, version, 'response');
  return w.finish();
}

/** The ERROR message: call id 0, signature "u", the CK_RV. */
export function encodeError(rv: number): Uint8Array {
  return new WireWriter().u32(0).byteArray(sigBytes('u')).u64(rv).finish();
}

export function encodeRequest(call: RpcCall, args: readonly RpcArg[], version: number): Uint8Array {
  const w = new WireWriter().u32(call.id).byteArray(sigBytes(call.request));
  writeArgs(w, call.request, args, version, 'request');
  return w.finish();
}

export type DecodedResponse = { ok: true; values: RpcArg[] } | { ok: false; rv: number };

/** Decodes an answer to `call` (client side): its values, or the CK_RV of an ERROR message. */
export function decodeResponse(body: Uint8Array, call: RpcCall, version: number): DecodedResponse {
  const r = new WireReader(body);
  const id = r.u32();
  const signature = r.byteArray();
  if (id === 0) {
    if (!signature || !sameBytes(signature, sigBytes('u'))) throw new RpcDecodeError('malformed ERROR message');
    const rv = r.u64();
    return { ok: false, rv };
  }
  if (id !== call.id) throw new RpcDecodeError(`answer to call ${id} where ${call.name} (${call.id}) was expected`);
  if (!signature || !sameBytes(signature, sigBytes(call.response))) throw new RpcDecodeError(`${call.name}: the answer's signature does not match`);
  return { ok: true, values: readArgs(r, call.response, version, 'response') };
}
