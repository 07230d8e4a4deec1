/**
 * The enclave's open relay streams, inbound (accepted by the host for an in-enclave server) and
 * outbound (opened by the host for an in-enclave client), with the ecalls the host relay uses to
 * feed them. One table per enclave: stream ids are the host relay's.
 */
import { ocall } from '../../enclave/api.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { EnclaveStream, type StreamOcalls } from './stream-channel.js';

/** The ecalls the host relay calls (spread `relayEcalls` into `defineEnclave({ ecalls })`). */
export interface RaTlsRelayEcalls {
  ratlsOpen(streamId: number): Promise<void>;
  ratlsData(streamId: number, bytes: Uint8Array): Promise<void>;
  ratlsEnd(streamId: number): Promise<void>;
  ratlsAbort(streamId: number): Promise<void>;
}

const relayOcalls: StreamOcalls = {
  send: async (streamId, bytes) => {
    await ocall.ratlsSend(streamId, bytes);
  },
  end: async (streamId) => {
    await ocall.ratlsEnd(streamId);
  },
  connect: async (host, port) => (await ocall.ratlsConnect(host, port)) as number,
};

export function checkStreamId(id: unknown): number {
  if (!Number.isInteger(id) || (id as number) < 1 || (id as number) > 0xffffffff) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a stream id is an integer from 1 to 2^32-1');
  return id as number;
}

export class StreamTable {
  readonly #streams = new Map<number, EnclaveStream>();
  #accept: ((stream: EnclaveStream) => void) | null = null;
  #maxStreams = 256;
  ocalls: StreamOcalls = relayOcalls;

  get size(): number {
    return this.#streams.size;
  }

  /** Where inbound streams go (the in-enclave server); one acceptor per enclave. */
  onInbound(accept: (stream: EnclaveStream) => void, maxStreams = 256): void {
    if (this.#accept) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'this enclave already runs an RA-TLS server');
    this.#accept = accept;
    this.#maxStreams = maxStreams;
  }

  /** Registers a stream (inbound from ratlsOpen, outbound once the host named its id). */
  add(streamId: number): EnclaveStream {
    checkStreamId(streamId);
    if (this.#streams.has(streamId)) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `stream ${streamId} is already open`);
    if (this.#streams.size >= this.#maxStreams) throw new SecGearError(ErrorCode.RATE_LIMITED, `the enclave has ${this.#maxStreams} streams open`);
    const stream = new EnclaveStream(streamId, this.ocalls);
    this.#streams.set(streamId, stream);
    stream.on('close', () => {
      if (this.#streams.get(streamId) === stream) this.#streams.delete(streamId);
    });
    return stream;
  }

  readonly ecalls: RaTlsRelayEcalls = {
    ratlsOpen: async (id) => {
      if (!this.#accept) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'this enclave runs no RA-TLS server');
      this.#accept(this.add(id));
    },
    ratlsData: (id, bytes) => {
      const stream = this.#streams.get(checkStreamId(id));
      if (!stream) return Promise.reject(new SecGearError(ErrorCode.PROTOCOL_STATE, `stream ${id} is not open`));
      return stream.feed(bytes);
    },
    ratlsEnd: async (id) => {
      this.#streams.get(checkStreamId(id))?.feedEnd();
    },
    ratlsAbort: async (id) => {
      const stream = this.#streams.get(checkStreamId(id));
      this.#streams.delete(id);
      stream?.destroy();
    },
  };
}

/** The enclave's one stream table. */
export const streams = new StreamTable();
