/**
 * A byte stream between the enclave and one host TCP connection: the host feeds received bytes
 * in with an ecall, the enclave sends with an ocall. Bytes written while an ocall is in flight
 * are coalesced into the next one (so a burst of TLS records costs one boundary crossing), and
 * a write completes only when the host has taken the bytes (back-pressure in both directions:
 * the host makes at most one feeding ecall per stream at a time, and that ecall returns only
 * when the enclave's reader wants more).
 */
import { Duplex } from 'node:stream';
import { concatBytes, isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';

/** How the enclave reaches the host for one stream (by default: the relay's ocalls). */
export interface StreamOcalls {
  send(streamId: number, bytes: Uint8Array): Promise<void>;
  end(streamId: number): Promise<void>;
  /** Asks the host to open a TCP connection; resolves with its stream id. */
  connect(host: string, port: number): Promise<number>;
}

/** Largest chunk one feeding ecall or sending ocall carries. */
export const MAX_STREAM_CHUNK = 256 * 1024;

export class EnclaveStream extends Duplex {
  readonly streamId: number;
  readonly #ocalls: StreamOcalls;
  #pending: Uint8Array[] = [];
  #pendingCallbacks: Array<(error?: Error | null) => void> = [];
  #flushing = false;
  #wantMore: (() => void) | null = null;
  #endSent = false;

  constructor(streamId: number, ocalls: StreamOcalls) {
    super({ allowHalfOpen: true });
    this.streamId = streamId;
    this.#ocalls = ocalls;
  }

  /** Bytes from the host (the feeding ecall). Resolves when the reader can take more. */
  feed(bytes: Uint8Array): Promise<void> {
    if (!isBytes(bytes) || bytes.byteLength > MAX_STREAM_CHUNK) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `a stream chunk is a Uint8Array of at most ${MAX_STREAM_CHUNK} bytes`);
    if (this.destroyed) return Promise.resolve();
    if (this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wantMore = resolve;
    });
  }

  /** The host's connection ended its sending side. */
  feedEnd(): void {
    if (!this.destroyed) this.push(null);
  }

  override _read(): void {
    const want = this.#wantMore;
    this.#wantMore = null;
    want?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#pending.push(new Uint8Array(chunk));
    this.#pendingCallbacks.push(callback);
    if (!this.#flushing) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        // coalesce everything written since the last crossing, up to one chunk
        let size = 0;
        let count = 0;
        while (count < this.#pending.length && (count === 0 || size + this.#pending[count].byteLength <= MAX_STREAM_CHUNK)) size += this.#pending[count++].byteLength;
        const parts = this.#pending.splice(0, count);
        const callbacks = this.#pendingCallbacks.splice(0, count);
        try {
          await this.#ocalls.send(this.streamId, parts.length === 1 ? parts[0] : concatBytes(...parts));
          for (const cb of callbacks) cb();
        } catch (error) {
          for (const cb of [...callbacks, ...this.#pendingCallbacks.splice(0)]) cb(error as Error);
          this.#pending = [];
          return;
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#endSent = true;
    this.#ocalls.end(this.streamId).then(() => callback(), (error: Error) => callback(error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#wantMore?.();
    this.#wantMore = null;
    // a connection the enclave drops (say, a TLS client it refused) must not stay open on the
    // host until the peer gives up: tell the host to end it (a stream the host closed already
    // is refused there, which is fine)
    if (!this.#endSent) {
      this.#endSent = true;
      this.#ocalls.end(this.streamId).catch(() => undefined);
    }
    callback(error);
  }
}
