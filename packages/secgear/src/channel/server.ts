/**
 * The host's side of the secure channel (after secGear's cc_sec_chl_svr_*): relays handshake
 * messages between a client connection and the enclave, hands DATA messages of an established
 * session to the application (which passes them to its own ecalls), and never holds a key.
 */
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { RECORD_TYPE_CLOSE } from '../records/record-layer.js';
import type { SecureChannelEcalls } from './enclave/service.js';
import { decodeMessage, encodeMessage, MAX_EVIDENCE, MessageType, peekType } from './messages.js';

/** The largest message a connection accepts (a DATA message with a full record). */
export const MAX_CHANNEL_MESSAGE = MAX_EVIDENCE + 1024;

export interface SecureChannelServerOptions {
  enclave: { ecall: SecureChannelEcalls };
  /**
   * Called with each DATA message of an established session (still encrypted); pass it to an
   * ecall that calls `secureChannel.decrypt(sessionId, message)`. A returned message is sent back.
   */
  onData: (sessionId: string, message: Uint8Array) => Promise<Uint8Array | null | void> | Uint8Array | null | void;
}

/** One client's connection: its transport's send function, and `receive` for what arrives. */
export class SecureChannelConnection {
  #sessionId: string | null = null;
  #established = false;
  #closed = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: SecureChannelServerOptions,
    private readonly send: (message: Uint8Array) => void | Promise<void>,
  ) {}

  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** Handles one message from the client; messages are handled in arrival order. */
  receive(message: Uint8Array): Promise<void> {
    const done = this.#queue.then(() => this.#receive(message));
    this.#queue = done.catch(() => undefined);
    return done;
  }

  async #receive(message: Uint8Array): Promise<void> {
    if (this.#closed) return;
    try {
      if (!isBytes(message) || message.byteLength > MAX_CHANNEL_MESSAGE) throw new SecGearError(ErrorCode.INVALID_MESSAGE, `a message must be a Uint8Array of at most ${MAX_CHANNEL_MESSAGE} bytes`);
      const type = peekType(message);
      const { ecall } = this.options.enclave;
      if (type === MessageType.ClientHello) {
        if (this.#sessionId) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'one handshake per connection');
        decodeMessage(message);
        const reply = await ecall.secChlHandshake(message);
        // the enclave's answer is checked like any enclave→host message before it is used
        const hello = decodeMessage(reply);
        if (hello.type !== 'server-hello') throw new SecGearError(ErrorCode.GENERIC, 'the enclave answered CLIENT_HELLO with something else');
        this.#sessionId = hello.sessionId;
        await this.send(reply);
      } else if (type === MessageType.ClientFinish) {
        const m = decodeMessage(message);
        if (m.type !== 'client-finish' || !this.#sessionId || m.sessionId !== this.#sessionId || this.#established) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'CLIENT_FINISH for no handshake of this connection');
        const reply = await ecall.secChlHandshake(message);
        const finish = decodeMessage(reply);
        if (finish.type !== 'server-finish' || finish.sessionId !== this.#sessionId) throw new SecGearError(ErrorCode.GENERIC, 'the enclave answered CLIENT_FINISH with something else');
        this.#established = true;
        await this.send(reply);
      } else if (type === MessageType.Data) {
        const m = decodeMessage(message);
        if (!this.#established || m.type !== 'data' || m.sessionId !== this.#sessionId) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'DATA for no established session of this connection');
        if (m.record[1] === RECORD_TYPE_CLOSE) {
          const reply = await ecall.secChlClose(this.#sessionId, message);
          this.#closed = true;
          if (reply) await this.send(this.#checkedData(reply));
          return;
        }
        const reply = await this.options.onData(this.#sessionId, message);
        if (reply) await this.send(this.#checkedData(reply));
      } else {
        throw new SecGearError(ErrorCode.PROTOCOL_STATE, `a client does not send message type ${type}`);
      }
    } catch (error) {
      const e = error instanceof SecGearError ? error : new SecGearError(ErrorCode.GENERIC, String(error));
      await this.send(encodeMessage({ type: 'error', sessionId: this.#sessionId, code: e.code, message: e.message }));
      await this.close();
    }
  }

  #checkedData(reply: unknown): Uint8Array {
    if (!isBytes(reply)) throw new SecGearError(ErrorCode.GENERIC, 'the enclave returned something that is not a message');
    const m = decodeMessage(reply);
    if (m.type !== 'data' || m.sessionId !== this.#sessionId) throw new SecGearError(ErrorCode.GENERIC, 'the enclave returned a message of another session');
    return reply;
  }

  /** The transport went away: the enclave forgets the session. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sessionId) await this.options.enclave.ecall.secChlClose(this.#sessionId, null).catch(() => undefined);
  }
}

export class SecureChannelServer {
  constructor(private readonly options: SecureChannelServerOptions) {
    if (!options?.enclave?.ecall || typeof options.onData !== 'function') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'SecureChannelServer needs { enclave, onData }');
  }

  /** A new client connection over a transport whose send function is `send`. */
  connection(send: (message: Uint8Array) => void | Promise<void>): SecureChannelConnection {
    if (typeof send !== 'function') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'connection(send): send is a function');
    return new SecureChannelConnection(this.options, send);
  }
}
