/**
 * Frames of the device–cloud PAKE flow (byte tables: docs/formats/pake-service.md). They carry
 * the SPAKE2+ messages, the attested preamble and the application records over any transport
 * that delivers whole frames (a TCP stream with a length prefix, WebSocket messages, HTTP bodies).
 */
import { concatBytes, copyBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError, type ErrorCodeName } from '../common/errors.js';
import { resolveSuite, SUITES, type Suite } from './suites.js';
import type { ScryptParams } from './registration.js';

export const FRAME_VERSION = 0x01;
/** Largest frame either side accepts (evidence with certificates included). */
export const MAX_FRAME_LENGTH = 1024 * 1024;
export const NONCE_LENGTH = 32;

export const FrameKind = {
  HELLO: 0x10,
  PREAMBLE: 0x11,
  HANDSHAKE: 0x12,
  FINISHED: 0x13,
  DATA: 0x14,
  ERROR: 0x1f,
} as const;

export interface HelloFrame {
  kind: 'HELLO';
  idProver: Uint8Array;
  nonce: Uint8Array;
}

export interface PreambleFrame {
  kind: 'PREAMBLE';
  suite: Suite;
  idVerifier: Uint8Array;
  salt: Uint8Array;
  kdf: ScryptParams;
  evidence: { mediaType: string; data: Uint8Array };
}

/** A SPAKE2+ message (docs/formats/pake-messages.md), carried as is. */
export interface HandshakeFrame {
  kind: 'HANDSHAKE';
  message: Uint8Array;
}

export interface FinishedFrame {
  kind: 'FINISHED';
}

/** One record of the record layer (docs/formats/pake-records.md). */
export interface DataFrame {
  kind: 'DATA';
  record: Uint8Array;
}

export interface ErrorFrame {
  kind: 'ERROR';
  code: ErrorCodeName;
  /** For CC_ERROR_RATE_LIMITED: milliseconds until the identity may try again; else 0. */
  retryAfterMs: number;
  message: string;
}

export type Frame = HelloFrame | PreambleFrame | HandshakeFrame | FinishedFrame | DataFrame | ErrorFrame;
export type FrameKindName = Frame['kind'];

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

export function encodeFrame(frame: Frame): Uint8Array {
  const w = new FrameWriter(frame.kind);
  switch (frame.kind) {
    case 'HELLO':
      w.vec16(frame.idProver, 'idProver').fixed(frame.nonce, NONCE_LENGTH, 'nonce');
      break;
    case 'PREAMBLE':
      w.u8(resolveSuite(frame.suite).id)
        .vec16(frame.idVerifier, 'idVerifier')
        .vec8(frame.salt, 'salt')
        .u32(frame.kdf.N)
        .u8(frame.kdf.r)
        .u8(frame.kdf.p)
        .vec16(enc.encode(frame.evidence.mediaType), 'mediaType')
        .vec32(frame.evidence.data);
      break;
    case 'HANDSHAKE':
      w.vec16(frame.message, 'message');
      break;
    case 'FINISHED':
      break;
    case 'DATA':
      w.vec32(frame.record);
      break;
    case 'ERROR':
      w.vec16(enc.encode(frame.code), 'code').u32(frame.retryAfterMs).vec16(enc.encode(frame.message.slice(0, 1000)), 'message');
      break;
  }
  return w.finish();
}

/**
 * Parses a frame; anything malformed is CC_ERROR_INVALID_MESSAGE. With `expect`, a frame of
 * another kind is CC_ERROR_PROTOCOL_STATE (an ERROR frame is always returned, so the caller can
 * report it).
 */
export function decodeFrame(bytes: Uint8Array, expect?: FrameKindName[]): Frame {
  const r = new FrameReader(bytes);
  const version = r.u8();
  if (version !== FRAME_VERSION) throw invalid(`unsupported frame version ${version}; this side speaks ${FRAME_VERSION}`);
  const kindByte = r.u8();
  const kind = (Object.keys(FrameKind) as FrameKindName[]).find((k) => FrameKind[k] === kindByte);
  if (!kind) throw invalid(`unknown frame kind 0x${kindByte.toString(16)}`);
  if (expect && kind !== 'ERROR' && !expect.includes(kind)) {
    throw new SecGearError(ErrorCode.PROTOCOL_STATE, `expected a ${expect.join(' or ')} frame, got ${kind}`);
  }
  let frame: Frame;
  switch (kind) {
    case 'HELLO':
      frame = { kind, idProver: r.vec16(), nonce: r.fixed(NONCE_LENGTH) };
      break;
    case 'PREAMBLE': {
      const suiteId = r.u8();
      const suite = SUITES.find((s) => s.id === suiteId);
      if (!suite) throw invalid(`unknown ciphersuite id 0x${suiteId.toString(16)}`);
      const idVerifier = r.vec16();
      const salt = r.vec8();
      const kdf = { N: r.u32(), r: r.u8(), p: r.u8() };
      const mediaType = r.text16();
      frame = { kind, suite, idVerifier, salt, kdf, evidence: { mediaType, data: r.vec32() } };
      break;
    }
    case 'HANDSHAKE':
      frame = { kind, message: r.vec16() };
      break;
    case 'FINISHED':
      frame = { kind };
      break;
    case 'DATA':
      frame = { kind, record: r.vec32() };
      break;
    case 'ERROR': {
      const code = r.text16();
      if (!KNOWN_CODES.has(code)) throw invalid(`unknown error code "${code.slice(0, 40)}"`);
      frame = { kind, code: code as ErrorCodeName, retryAfterMs: r.u32(), message: r.text16() };
      break;
    }
  }
  r.end();
  return frame;
}

function invalid(message: string): SecGearError {
  return new SecGearError(ErrorCode.INVALID_MESSAGE, `PAKE frame: ${message}`);
}

class FrameWriter {
  readonly #parts: Uint8Array[] = [];
  constructor(kind: FrameKindName) {
    this.#parts.push(new Uint8Array([FRAME_VERSION, FrameKind[kind]]));
  }
  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `value ${n} does not fit one byte`);
    this.#parts.push(new Uint8Array([n]));
    return this;
  }
  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `value ${n} does not fit four bytes`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    this.#parts.push(b);
    return this;
  }
  fixed(bytes: Uint8Array, length: number, what: string): this {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} must be ${length} bytes`);
    this.#parts.push(bytes);
    return this;
  }
  vec8(bytes: Uint8Array, what: string): this {
    return this.#vec(bytes, 1, 0xff, what);
  }
  vec16(bytes: Uint8Array, what: string): this {
    return this.#vec(bytes, 2, 0xffff, what);
  }
  vec32(bytes: Uint8Array): this {
    return this.#vec(bytes, 4, MAX_FRAME_LENGTH, 'payload');
  }
  #vec(bytes: Uint8Array, size: number, max: number, what: string): this {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength > max) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} must be a Uint8Array of at most ${max} bytes`);
    }
    const len = new Uint8Array(size);
    const view = new DataView(len.buffer);
    if (size === 1) view.setUint8(0, bytes.byteLength);
    else if (size === 2) view.setUint16(0, bytes.byteLength);
    else view.setUint32(0, bytes.byteLength);
    this.#parts.push(len, bytes);
    return this;
  }
  finish(): Uint8Array {
    const out = concatBytes(...this.#parts);
    if (out.byteLength > MAX_FRAME_LENGTH) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `frame exceeds ${MAX_FRAME_LENGTH} bytes`);
    return out;
  }
}

class FrameReader {
  #offset = 0;
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw invalid('a frame must be a Uint8Array');
    if (bytes.byteLength > MAX_FRAME_LENGTH) throw invalid(`frame of ${bytes.byteLength} bytes exceeds ${MAX_FRAME_LENGTH}`);
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  #need(n: number): number {
    if (this.#offset + n > this.bytes.byteLength) throw invalid('truncated');
    const at = this.#offset;
    this.#offset += n;
    return at;
  }
  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }
  u32(): number {
    return this.#view.getUint32(this.#need(4));
  }
  fixed(n: number): Uint8Array {
    const at = this.#need(n);
    return copyBytes(this.bytes.subarray(at, at + n));
  }
  vec8(): Uint8Array {
    return this.fixed(this.u8());
  }
  vec16(): Uint8Array {
    return this.fixed(this.#view.getUint16(this.#need(2)));
  }
  vec32(): Uint8Array {
    return this.fixed(this.u32());
  }
  text16(): string {
    try {
      return dec.decode(this.vec16());
    } catch (error) {
      if (error instanceof SecGearError) throw error;
      throw invalid('text is not UTF-8');
    }
  }
  end(): void {
    if (this.#offset !== this.bytes.byteLength) throw invalid(`${this.bytes.byteLength - this.#offset} trailing bytes`);
  }
}
