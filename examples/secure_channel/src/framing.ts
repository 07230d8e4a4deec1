// Frames over a TCP stream: each frame is preceded by its length as 4 bytes big-endian.
import type { Socket } from 'node:net';
import { MAX_CHANNEL_MESSAGE as MAX_FRAME_LENGTH } from 'secgear/channel';

export class FramedSocket {
  #buffer = Buffer.alloc(0);
  #waiting: Array<{ resolve: (f: Uint8Array | null) => void; reject: (e: Error) => void }> = [];
  #frames: Uint8Array[] = [];
  #ended = false;
  #error: Error | null = null;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#finish(null));
    socket.on('close', () => this.#finish(null));
    socket.on('error', (error) => this.#finish(error));
  }

  send(frame: Uint8Array): void {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(frame.byteLength);
    this.socket.write(Buffer.concat([header, frame]));
  }

  /** The next frame, or null when the peer closed the connection. */
  next(): Promise<Uint8Array | null> {
    const frame = this.#frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  close(): void {
    this.socket.end();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4) {
      const length = this.#buffer.readUInt32BE(0);
      if (length > MAX_FRAME_LENGTH) {
        this.socket.destroy();
        this.#finish(new Error(`peer sent a frame of ${length} bytes (limit ${MAX_FRAME_LENGTH})`));
        return;
      }
      if (this.#buffer.length < 4 + length) return;
      const frame = new Uint8Array(this.#buffer.subarray(4, 4 + length));
      this.#buffer = this.#buffer.subarray(4 + length);
      const waiter = this.#waiting.shift();
      if (waiter) waiter.resolve(frame);
      else this.#frames.push(frame);
    }
  }

  #finish(error: Error | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    for (const w of this.#waiting.splice(0)) {
      if (error) w.reject(error);
      else w.resolve(null);
    }
  }
}
