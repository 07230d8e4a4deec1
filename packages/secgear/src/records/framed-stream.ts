/**
 * Length-prefixed frames over a byte stream (a TCP socket, a TLS socket, any Duplex): each
 * frame is preceded by its length as 4 bytes big-endian. PAKE and secure-channel handshakes
 * and records travel this way between hosts. A peer announcing a frame over the limit is cut
 * off before anything is buffered for it.
 */
import type { Duplex } from 'node:stream';
import { ErrorCode, SecGearError } from '../common/errors.js';

export interface FramedStreamOptions {
  /** Largest frame accepted from the peer, in bytes. */
  maxFrameLength: number;
}

export class FramedStream {
  readonly #stream: Duplex;
  readonly #maxFrameLength: number;
  /** Bytes received and not yet framed, as chunks (joined once per frame, not per chunk). */
  #chunks: Buffer[] = [];
  #buffered = 0;
  #waiting: Array<{ resolve: (frame: Uint8Array | null) => void; reject: (error: Error) => void }> = [];
  #frames: Uint8Array[] = [];
  #ended = false;
  #error: Error | null = null;

  constructor(stream: Duplex, options: FramedStreamOptions) {
    if (!(Number.isInteger(options.maxFrameLength) && options.maxFrameLength > 0 && options.maxFrameLength <= 0xffffffff)) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'maxFrameLength must be a positive integer of at most 2^32-1 bytes');
    }
    this.#stream = stream;
    this.#maxFrameLength = options.maxFrameLength;
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    stream.on('end', () => this.#finish(null));
    stream.on('close', () => this.#finish(null));
    stream.on('error', (error: Error) => this.#finish(error));
  }

  get stream(): Duplex {
    return this.#stream;
  }

  send(frame: Uint8Array): void {
    if (frame.byteLength > this.#maxFrameLength) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `a frame of ${frame.byteLength} bytes is over the limit of ${this.#maxFrameLength}; split the message`);
    }
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(frame.byteLength);
    this.#stream.write(Buffer.concat([header, frame]));
  }

  /** The next frame, or null when the peer closed the stream. Rejects on a stream error or an oversized frame. */
  next(): Promise<Uint8Array | null> {
    const frame = this.#frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  close(): void {
    this.#stream.end();
  }

  #onData(chunk: Buffer): void {
    if (this.#ended) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    while (this.#buffered >= 4) {
      const head = this.#take(4, false);
      const length = head.readUInt32BE(0);
      if (length > this.#maxFrameLength) {
        this.#stream.destroy();
        this.#finish(new SecGearError(ErrorCode.BAD_PARAMETERS, `peer sent a frame of ${length} bytes (limit ${this.#maxFrameLength}); connection closed`));
        return;
      }
      if (this.#buffered < 4 + length) return;
      this.#take(4, true);
      const frame = new Uint8Array(this.#take(length, true));
      const waiter = this.#waiting.shift();
      if (waiter) waiter.resolve(frame);
      else this.#frames.push(frame);
    }
  }

  /** The first `n` buffered bytes (n <= buffered), removed when `consume`. */
  #take(n: number, consume: boolean): Buffer {
    if (n === 0) return Buffer.alloc(0); // an empty frame; nothing may be buffered at all
    const first = this.#chunks[0];
    let bytes: Buffer;
    if (first.byteLength >= n) bytes = first.subarray(0, n);
    else {
      const joined = Buffer.concat(this.#chunks);
      this.#chunks = [joined];
      bytes = joined.subarray(0, n);
    }
    if (consume) {
      const rest = this.#chunks[0].subarray(n);
      if (rest.byteLength) this.#chunks[0] = rest;
      else this.#chunks.shift();
      this.#buffered -= n;
    }
    return bytes;
  }

  #finish(error: Error | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#chunks = [];
    this.#buffered = 0;
    for (const w of this.#waiting.splice(0)) {
      if (error) w.reject(error);
      else w.resolve(null);
    }
  }
}
