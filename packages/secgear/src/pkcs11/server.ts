/**
 * `secgear/pkcs11`: the untrusted host side of the enclave PKCS#11 token. It listens on a
 * UNIX socket (mode 0600) for p11-kit's `p11-kit-client.so`, negotiates the protocol version,
 * cuts the byte stream into frames and relays each request body to the enclave, which decodes
 * it, runs the call and returns the answer. The host never decodes a request: what it sees
 * (PINs included) it only forwards.
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { RPC_VERSION_MAX } from './rpc/calls.js';
import { encodeFrame, FrameReader } from './rpc/frame.js';

/** The ecalls of a token enclave (`secgear/pkcs11/enclave`), as the host sees them. */
export interface P11EnclaveEcalls {
  p11Handle(conn: number, version: number, body: Uint8Array): Promise<{ response: Uint8Array | null; close: string | null }>;
  p11Disconnect(conn: number): Promise<void>;
}

export interface P11ServerOptions {
  /** The enclave running the token. */
  enclave: { ecall: P11EnclaveEcalls };
  /** Where to listen. An existing socket file there is replaced. */
  socketPath: string;
  /** Called for each connection closed because of a malformed frame (the reason, for logs). */
  onProtocolError?: (reason: string) => void;
  /** Connections at once; more are refused. Default 64. */
  maxConnections?: number;
}

export class P11Server {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #options: P11ServerOptions;
  #nextConn = 1;

  private constructor(options: P11ServerOptions) {
    this.#options = options;
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.maxConnections = options.maxConnections ?? 64;
  }

  /** Starts listening; resolves once the socket exists with mode 0600. */
  static async listen(options: P11ServerOptions): Promise<P11Server> {
    if (!options?.enclave || typeof options.socketPath !== 'string') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'P11Server.listen needs { enclave, socketPath }');
    const server = new P11Server(options);
    rmSync(options.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.socketPath, () => {
        server.#server.off('error', reject);
        resolve();
      });
    });
    chmodSync(options.socketPath, 0o600);
    return server;
  }

  get socketPath(): string {
    return this.#options.socketPath;
  }

  #accept(socket: Socket): void {
    const conn = this.#nextConn++;
    const ecall = this.#options.enclave.ecall;
    this.#sockets.add(socket);
    const frames = new FrameReader();
    let version: number | undefined;
    let queue: Promise<unknown> = Promise.resolve();
    let closed = false;
    const close = (reason?: string) => {
      if (closed) return;
      closed = true;
      if (reason) this.#options.onProtocolError?.(reason);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      let data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (version === undefined) {
        // the client's version byte; we answer with the highest version we both speak
        version = Math.min(data[0], RPC_VERSION_MAX);
        socket.write(Uint8Array.of(version));
        data = data.subarray(1);
      }
      let list;
      try {
        list = frames.push(data.slice());
      } catch (error) {
        close((error as Error).message);
        return;
      }
      for (const frame of list) {
        const v = version;
        queue = queue.then(async () => {
          if (closed) return;
          try {
            const out = await ecall.p11Handle(conn, v, frame.body);
            if (out.close !== null || out.response === null) close(out.close ?? 'the token closed the connection');
            else if (!closed) socket.write(encodeFrame(frame.code, out.response));
          } catch (error) {
            close(`the enclave failed: ${(error as Error).message}`);
          }
        });
      }
    });
    socket.on('error', () => close());
    socket.on('close', () => {
      closed = true;
      this.#sockets.delete(socket);
      queue = queue.then(() => ecall.p11Disconnect(conn)).catch(() => undefined);
    });
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#options.socketPath, { force: true });
  }
}

export { createP11FileStore, type P11StoreOcalls } from './file-store.js';
