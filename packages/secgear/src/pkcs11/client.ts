/**
 * A p11-kit RPC client in TypeScript: what `p11-kit-client.so` does, without C. It reaches
 * every mechanism the token has (p11-kit 0.24's client forwards only those it can encode),
 * and serves the tests and benchmarks. Failures throw `P11CallError` carrying the CK_RV.
 */
import { connect, type Socket } from 'node:net';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { CKR, ckrName } from './constants.js';
import type { AttributeRequest, AttributeResult, Attribute } from './rpc/attributes.js';
import { RPC_HANDSHAKE, RPC_VERSION_MAX, rpcCall } from './rpc/calls.js';
import { encodeFrame, FrameReader } from './rpc/frame.js';
import type { Mechanism } from './rpc/mechanism.js';
import { decodeResponse, encodeRequest, type LengthOnly, type RpcArg } from './rpc/message.js';

export class P11CallError extends Error {
  constructor(readonly call: string, readonly rv: number) {
    super(`${call} returned ${ckrName(rv)}`);
    this.name = 'P11CallError';
  }
}

export interface P11ClientOptions {
  socketPath: string;
  /** Protocol version to offer (0, 1 or 2). Default 2. */
  version?: number;
}

const isLengthOnly = (v: RpcArg): v is LengthOnly => typeof v === 'object' && v !== null && 'lengthOnly' in v;

export class P11Client {
  readonly #socket: Socket;
  readonly #frames = new FrameReader();
  #waiting: ((body: Uint8Array | Error) => void) | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #code = 0x10;
  #closed: Error | undefined;
  version = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Connects, negotiates the version and calls C_Initialize. */
  static async connect(options: P11ClientOptions): Promise<P11Client> {
    const offered = options.version ?? RPC_VERSION_MAX;
    const socket = connect(options.socketPath);
    const client = new P11Client(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(Uint8Array.of(offered));
    client.version = await new Promise<number>((resolve, reject) => {
      socket.once('data', (chunk: Buffer) => {
        if (chunk.byteLength > 1) client.#onData(chunk.subarray(1));
        resolve(chunk[0]);
      });
      socket.once('close', () => reject(new SecGearError(ErrorCode.INVALID_MESSAGE, 'the server closed during version negotiation')));
    });
    socket.on('data', (chunk: Buffer) => client.#onData(chunk));
    socket.on('error', (e) => client.#fail(e));
    socket.on('close', () => client.#fail(new SecGearError(ErrorCode.INVALID_MESSAGE, 'the connection closed')));
    await client.call('C_Initialize', [RPC_HANDSHAKE, 0, null]);
    return client;
  }

  #onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.#frames.push(new Uint8Array(chunk));
    } catch (error) {
      this.#fail(error as Error);
      this.#socket.destroy();
      return;
    }
    for (const f of frames) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.(f.body);
    }
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(error);
  }

  /** Sends raw bytes as one frame body and returns the answer's body (for protocol tests). */
  exchange(body: Uint8Array): Promise<Uint8Array> {
    const run = this.#queue.then(
      () =>
        new Promise<Uint8Array>((resolve, reject) => {
          if (this.#closed) return reject(this.#closed);
          this.#waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
          this.#socket.write(encodeFrame(this.#code++, body));
        }),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Calls `name` with its request values; returns the response values or throws P11CallError. */
  async call(name: string, args: RpcArg[]): Promise<RpcArg[]> {
    const call = rpcCall(name);
    const body = await this.exchange(encodeRequest(call, args, this.version));
    const out = decodeResponse(body, call, this.version);
    if (!out.ok) throw new P11CallError(name, out.rv);
    return out.values;
  }

  /** A call whose answer is one byte array: asks the size first when `capacity` is not given. */
  async bytesCall(name: string, args: RpcArg[], capacity?: number): Promise<Uint8Array> {
    const size = capacity ?? ((await this.call(name, [...args, { present: false, capacity: 0 }]))[0] as LengthOnly).lengthOnly;
    const [value] = await this.call(name, [...args, { present: true, capacity: size }]);
    if (isLengthOnly(value)) throw new P11CallError(name, CKR.BUFFER_TOO_SMALL);
    return value as Uint8Array;
  }

  // --------------------------------------------------------- conveniences used by tests and benchmarks

  async slots(): Promise<number[]> {
    const [value] = await this.call('C_GetSlotList', [1, { present: true, capacity: 16 }]);
    return value as number[];
  }

  async openSession(slot: number, rw = true): Promise<number> {
    const [h] = await this.call('C_OpenSession', [slot, 4 | (rw ? 2 : 0)]);
    return h as number;
  }

  async login(session: number, userType: number, pin: string): Promise<void> {
    await this.call('C_Login', [session, userType, new TextEncoder().encode(pin)]);
  }

  async generateKey(session: number, mechanism: Mechanism, template: Attribute[]): Promise<number> {
    return (await this.call('C_GenerateKey', [session, mechanism, template]))[0] as number;
  }

  async generateKeyPair(session: number, mechanism: Mechanism, pub: Attribute[], priv: Attribute[]): Promise<[number, number]> {
    const [a, b] = await this.call('C_GenerateKeyPair', [session, mechanism, pub, priv]);
    return [a as number, b as number];
  }

  async getAttributes(session: number, object: number, requests: AttributeRequest[]): Promise<{ results: AttributeResult[]; rv: number }> {
    const [results, rv] = await this.call('C_GetAttributeValue', [session, object, requests]);
    return { results: results as AttributeResult[], rv: rv as number };
  }

  async sign(session: number, mechanism: Mechanism, key: number, data: Uint8Array, capacity = 1024): Promise<Uint8Array> {
    await this.call('C_SignInit', [session, mechanism, key]);
    return this.bytesCall('C_Sign', [session, data], capacity);
  }

  async verify(session: number, mechanism: Mechanism, key: number, data: Uint8Array, signature: Uint8Array): Promise<void> {
    await this.call('C_VerifyInit', [session, mechanism, key]);
    await this.call('C_Verify', [session, data, signature]);
  }

  async encrypt(session: number, mechanism: Mechanism, key: number, data: Uint8Array, capacity = data.byteLength + 1024): Promise<Uint8Array> {
    await this.call('C_EncryptInit', [session, mechanism, key]);
    return this.bytesCall('C_Encrypt', [session, data], capacity);
  }

  async decrypt(session: number, mechanism: Mechanism, key: number, data: Uint8Array, capacity = data.byteLength + 1024): Promise<Uint8Array> {
    await this.call('C_DecryptInit', [session, mechanism, key]);
    return this.bytesCall('C_Decrypt', [session, data], capacity);
  }

  /** C_Finalize, then closes the socket. */
  async close(): Promise<void> {
    if (!this.#closed) await this.call('C_Finalize', []).catch(() => undefined);
    this.#closed ??= new SecGearError(ErrorCode.INVALID_MESSAGE, 'the client is closed');
    this.#socket.destroy();
  }
}
