/**
 * `secgear/pake/server`: the untrusted host side of the device–cloud PAKE flow. It relays
 * frames between a transport and the enclave (which runs the verifier, see
 * `secgear/pake/enclave`), and stores the enclave's sealed blobs in a folder. It never sees a
 * password, a verifier record in the clear, or a session key.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { toBytes, type BytesLike } from './encoding.js';
import { MAX_FRAME_LENGTH } from './service-frames.js';
import { encodeRegistration, type Registration } from './stored-record.js';

/** The ecalls an enclave built with `createPakeService` exposes (as the host sees them). */
export interface PakeEnclaveEcalls {
  pakeRegister(idProver: Uint8Array, registration: Uint8Array, signature?: Uint8Array): Promise<void>;
  pakeReceive(sessionId: string | null, frame: Uint8Array): Promise<{ sessionId: string | null; frame: Uint8Array | null; closed: boolean }>;
  pakeClose(sessionId: string): Promise<void>;
}

/** One device connection: frames in, frames out, in order. */
export class PakeConnection {
  #sessionId: string | null = null;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ecall: PakeEnclaveEcalls) {}

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Hands one frame from the device to the enclave and returns the enclave's answer (null when
   * there is nothing to send). Frames are processed one at a time, in arrival order. After the
   * enclave ends the session (an ERROR frame), `closed` is true and further frames are refused.
   */
  receive(frame: Uint8Array): Promise<Uint8Array | null> {
    const result = this.#queue.then(() => this.#receive(frame));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #receive(frame: Uint8Array): Promise<Uint8Array | null> {
    if (this.#closed) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'this PAKE connection is closed');
    if (!isBytes(frame) || frame.byteLength > MAX_FRAME_LENGTH) {
      throw new SecGearError(ErrorCode.INVALID_MESSAGE, `a frame must be a Uint8Array of at most ${MAX_FRAME_LENGTH} bytes`);
    }
    const out = await this.ecall.pakeReceive(this.#sessionId, frame);
    if (out.closed) this.#closed = true;
    else this.#sessionId = out.sessionId;
    return out.frame;
  }

  /** Ends the session inside the enclave (for example when the socket closes). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    if (this.#sessionId) await this.ecall.pakeClose(this.#sessionId);
  }
}

export class PakeServer {
  constructor(private readonly enclave: { ecall: PakeEnclaveEcalls }) {}

  /**
   * Registers (or re-registers) a device; the enclave seals the registration. `signature` (from
   * `signRegistration`) is required when the enclave was configured with a provisioning key.
   */
  async register(idProver: BytesLike, registration: Registration, signature?: Uint8Array): Promise<void> {
    await this.enclave.ecall.pakeRegister(toBytes(idProver, 'idProver'), encodeRegistration(registration), signature);
  }

  /** A new device connection. */
  connection(): PakeConnection {
    return new PakeConnection(this.enclave.ecall);
  }
}

const NAME = /^[a-z0-9][a-z0-9-]{0,299}$/;
let tmpCounter = 0;

/**
 * Host ocalls `pakeStoreLoad` / `pakeStoreSave` over a folder: one file per sealed blob, written
 * to a temporary file and renamed, so a crash never leaves half a blob.
 */
export function createPakeFileStore(dir: string): { pakeStoreLoad(name: string): Uint8Array | null; pakeStoreSave(name: string, blob: Uint8Array): void } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (name: unknown) => {
    if (typeof name !== 'string' || !NAME.test(name)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'invalid PAKE store name');
    return join(dir, `${name}.sealed`);
  };
  return {
    pakeStoreLoad(name) {
      try {
        return new Uint8Array(readFileSync(path(name)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    pakeStoreSave(name, blob) {
      if (!isBytes(blob)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a sealed blob must be bytes');
      const target = path(name);
      const tmp = `${target}.${process.pid}.${tmpCounter++}.tmp`;
      writeFileSync(tmp, blob, { mode: 0o600 });
      renameSync(tmp, target);
    },
  };
}

export type { Registration } from './stored-record.js';
