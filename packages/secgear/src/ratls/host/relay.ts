/**
 * The host side of RA-TLS with TLS inside the enclave: accepts TCP connections and relays their
 * bytes to the enclave's streams (ecalls `ratlsOpen/Data/End/Abort`), and the enclave's bytes
 * back (ocalls `ratlsSend/End`); for in-enclave clients it opens the TCP connections the
 * enclave asks for (ocall `ratlsConnect`), where `allowConnect` says yes. It only ever sees
 * ciphertext. Every ocall argument is checked: the enclave is not trusted to be well-behaved.
 */
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';

/** The ecalls of an enclave that runs an RA-TLS server or client (see `secgear/ratls/enclave`). */
export interface RaTlsRelayEcalls {
  ratlsOpen(streamId: number): Promise<void>;
  ratlsData(streamId: number, bytes: Uint8Array): Promise<void>;
  ratlsEnd(streamId: number): Promise<void>;
  ratlsAbort(streamId: number): Promise<void>;
}

export interface RaTlsRelayOptions {
  /** Bytes buffered per connection toward the enclave before the socket is paused. Default 1 MiB. */
  windowBytes?: number;
  /** Largest chunk per ecall. Default 256 KiB. */
  chunkBytes?: number;
  /** Connections at once. Default 256. */
  maxConnections?: number;
  /** Outbound connections the enclave may ask for (in-enclave clients). Default: none. */
  allowConnect?: (host: string, port: number) => boolean;
}

interface Stream {
  id: number;
  socket: Socket;
  queue: Buffer[];
  queued: number;
  ended: boolean;
  closed: boolean;
  /** Outbound: the enclave has not registered the stream yet (it does before its first send). */
  awaitingEnclave: boolean;
  inFlight: number;
  endSent: boolean;
}

/** Feeding ecalls in flight per stream. */
const PIPELINE = 4;

const MAX_FROM_ENCLAVE = 1024 * 1024;

export class RaTlsRelay {
  readonly #options: Required<Omit<RaTlsRelayOptions, 'allowConnect'>> & Pick<RaTlsRelayOptions, 'allowConnect'>;
  readonly #streams = new Map<number, Stream>();
  readonly #servers = new Set<Server>();
  #enclave: { ecall: RaTlsRelayEcalls } | null = null;
  #nextId = 1;

  constructor(options: RaTlsRelayOptions = {}) {
    this.#options = { windowBytes: options.windowBytes ?? 1 << 20, chunkBytes: options.chunkBytes ?? 256 * 1024, maxConnections: options.maxConnections ?? 256, allowConnect: options.allowConnect };
  }

  /** The ocalls to pass to `createEnclave(image, { ocalls: { ...relay.ocalls } })`. */
  get ocalls(): { ratlsSend(id: number, bytes: Uint8Array): Promise<void>; ratlsEnd(id: number): void; ratlsConnect(host: string, port: number): Promise<number> } {
    return {
      ratlsSend: (id, bytes) => this.#send(id, bytes),
      ratlsEnd: (id) => {
        const stream = this.#stream(id);
        stream.socket.end();
      },
      ratlsConnect: (host, port) => this.#connect(host, port),
    };
  }

  /** The enclave whose streams these are (after `createEnclave`). */
  attach(enclave: { ecall: RaTlsRelayEcalls }): this {
    this.#enclave = enclave;
    return this;
  }

  get connections(): number {
    return this.#streams.size;
  }

  /** Accepts TCP connections for the enclave's RA-TLS server. Resolves with the port. */
  async listen(options: { port?: number; host?: string } = {}): Promise<{ port: number; server: Server }> {
    const server = createServer((socket) => void this.#accept(socket));
    this.#servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address();
    return { port: typeof address === 'object' && address ? address.port : 0, server };
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const s of this.#streams.values()) s.socket.destroy();
    await Promise.all([...this.#servers].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.#servers.clear();
  }

  #ecalls(): RaTlsRelayEcalls {
    if (!this.#enclave) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'RaTlsRelay: attach(enclave) before listening');
    return this.#enclave.ecall;
  }

  #stream(id: unknown): Stream {
    const stream = Number.isInteger(id) ? this.#streams.get(id as number) : undefined;
    if (!stream || stream.closed) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `the enclave named stream ${String(id)}, which is not open`);
    return stream;
  }

  #register(socket: Socket): Stream | null {
    if (this.#streams.size >= this.#options.maxConnections) {
      socket.destroy();
      return null;
    }
    const stream: Stream = { id: this.#nextId++, socket, queue: [], queued: 0, ended: false, closed: false, awaitingEnclave: false, inFlight: 0, endSent: false };
    if (this.#nextId > 0xffffffff) this.#nextId = 1;
    this.#streams.set(stream.id, stream);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      stream.queue.push(chunk);
      stream.queued += chunk.byteLength;
      if (stream.queued >= this.#options.windowBytes) socket.pause();
      void this.#pump(stream);
    });
    socket.on('end', () => {
      stream.ended = true;
      void this.#pump(stream);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (stream.closed) return;
      stream.closed = true;
      this.#streams.delete(stream.id);
      this.#ecalls().ratlsAbort(stream.id).catch(() => undefined);
    });
    return stream;
  }

  async #accept(socket: Socket): Promise<void> {
    const stream = this.#register(socket);
    if (!stream) return;
    socket.pause();
    try {
      await this.#ecalls().ratlsOpen(stream.id);
      socket.resume();
    } catch {
      socket.destroy();
    }
  }

  /**
   * Feeds queued bytes to the enclave, up to `pipeline` ecalls in flight per stream (the enclave
   * takes them in order: each one's bytes are pushed as it is dispatched); the socket is paused
   * while more than a window of bytes waits or is in flight.
   */
  async #pump(stream: Stream): Promise<void> {
    if (stream.closed) return;
    while (stream.queue.length > 0 && stream.inFlight < PIPELINE) {
      let size = 0;
      let count = 0;
      while (count < stream.queue.length && (count === 0 || size + stream.queue[count].byteLength <= this.#options.chunkBytes)) size += stream.queue[count++].byteLength;
      const parts = stream.queue.splice(0, count);
      const chunk = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      stream.inFlight++;
      const sent: Promise<void>[] = [];
      for (let offset = 0; offset < chunk.byteLength; offset += this.#options.chunkBytes) {
        sent.push(this.#ecalls().ratlsData(stream.id, new Uint8Array(chunk.buffer, chunk.byteOffset + offset, Math.min(this.#options.chunkBytes, chunk.byteLength - offset))));
      }
      void Promise.all(sent).then(
        () => {
          stream.inFlight--;
          stream.queued -= size;
          if (stream.queued < this.#options.windowBytes && stream.socket.isPaused() && !stream.awaitingEnclave) stream.socket.resume();
          void this.#pump(stream);
        },
        () => stream.socket.destroy(),
      );
    }
    if (stream.ended && !stream.endSent && stream.queue.length === 0 && stream.inFlight === 0 && !stream.closed) {
      stream.endSent = true;
      await this.#ecalls().ratlsEnd(stream.id).catch(() => stream.socket.destroy());
    }
  }

  #send(id: number, bytes: Uint8Array): Promise<void> {
    if (!isBytes(bytes) || bytes.byteLength === 0 || bytes.byteLength > MAX_FROM_ENCLAVE) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `ratlsSend takes 1 to ${MAX_FROM_ENCLAVE} bytes`);
    }
    const stream = this.#stream(id);
    if (stream.awaitingEnclave) {
      stream.awaitingEnclave = false;
      stream.socket.resume();
    }
    return new Promise((resolve, reject) => {
      stream.socket.write(bytes, (error) => (error ? reject(new SecGearError(ErrorCode.GENERIC, `the connection failed: ${error.message}`)) : resolve()));
    });
  }

  async #connect(host: unknown, port: unknown): Promise<number> {
    if (typeof host !== 'string' || host.length === 0 || host.length > 253 || !Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'ratlsConnect(host, port): a host name and a port from 1 to 65535');
    }
    if (!this.#options.allowConnect?.(host, port as number)) throw new SecGearError(ErrorCode.ACCESS_DENIED, `the relay does not let the enclave connect to ${host}:${port} (RaTlsRelay allowConnect)`);
    const socket = tcpConnect(port as number, host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const stream = this.#register(socket);
    if (!stream) throw new SecGearError(ErrorCode.RATE_LIMITED, 'the relay is at its connection limit');
    // the enclave registers the id when this ocall returns and then sends first (a TLS client
    // speaks first): until then the socket's bytes wait in the kernel
    socket.pause();
    stream.awaitingEnclave = true;
    return stream.id;
  }
}
