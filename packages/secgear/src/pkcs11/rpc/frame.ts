/**
 * Transport framing (p11-kit rpc-transport.c): after the one-byte version exchange, every
 * message is a 12-byte header — u32 code, u32 options length, u32 body length (big-endian) —
 * then the options bytes and the body. The server answers with the request's code and no options.
 */
import { RpcDecodeError } from './wire.js';

export const FRAME_HEADER_SIZE = 12;
/** Largest body (or options block) accepted; a larger announced length closes the connection. */
export const MAX_FRAME_BODY = 16 * 1024 * 1024;

export interface Frame {
  code: number;
  options: Uint8Array;
  body: Uint8Array;
}

export function encodeFrame(code: number, body: Uint8Array, options: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + options.byteLength + body.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, code >>> 0);
  view.setUint32(4, options.byteLength);
  view.setUint32(8, body.byteLength);
  out.set(options, FRAME_HEADER_SIZE);
  out.set(body, FRAME_HEADER_SIZE + options.byteLength);
  return out;
}

/** Accumulates stream chunks and yields whole frames; throws RpcDecodeError on an oversized one. */
export class FrameReader {
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(private readonly maxBody = MAX_FRAME_BODY) {}

  push(chunk: Uint8Array): Frame[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    const frames: Frame[] = [];
    for (;;) {
      if (this.#buffered < FRAME_HEADER_SIZE) break;
      const head = this.#peek(FRAME_HEADER_SIZE);
      const view = new DataView(head.buffer, head.byteOffset, FRAME_HEADER_SIZE);
      const code = view.getUint32(0);
      const optionsLength = view.getUint32(4);
      const bodyLength = view.getUint32(8);
      if (optionsLength > this.maxBody || bodyLength > this.maxBody) {
        throw new RpcDecodeError(`a frame announces ${Math.max(optionsLength, bodyLength)} bytes, more than the ${this.maxBody} allowed`);
      }
      const total = FRAME_HEADER_SIZE + optionsLength + bodyLength;
      if (this.#buffered < total) break;
      const all = this.#take(total);
      frames.push({
        code,
        options: all.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + optionsLength),
        body: all.subarray(FRAME_HEADER_SIZE + optionsLength),
      });
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.#buffered;
  }

  #peek(n: number): Uint8Array {
    if (this.#chunks[0].byteLength >= n) return this.#chunks[0];
    const joined = this.#join();
    return joined;
  }

  #join(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0];
    const out = new Uint8Array(this.#buffered);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    this.#chunks = [out];
    return out;
  }

  #take(n: number): Uint8Array {
    const all = this.#join();
    const taken = all.slice(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.byteLength ? [rest] : [];
    this.#buffered -= n;
    return taken;
  }
}
