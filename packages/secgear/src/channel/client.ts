/**
 * The data owner's side of the secure channel (after secGear's cc_sec_chl_client_*): runs the
 * handshake over the application's transport, verifies the enclave's evidence against a policy
 * before it sends its own share, then encrypts and decrypts records.
 *
 *   const client = new SecureChannelClient({ send: (m) => socket.write(frame(m)), policy });
 *   onFrame((m) => client.receive(m));
 *   const peer = await client.init();
 *   socket.write(frame(client.encrypt(data)));
 */
import { randomBytes } from 'node:crypto';
import { checkEvidenceBinding } from '../attest/evidence-binding.js';
import { appraisePeer, type AttestationPolicy, type PeerAttestation } from '../attest/peer-appraisal.js';
import '../attest/verifiers/index.js';
import { constantTimeEqual, isBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError, type ErrorCodeName } from '../common/errors.js';
import type { AeadRecordLayer } from '../records/record-layer.js';
import { generateEphemeral, sharedSecret } from './key-exchange.js';
import { channelRecords, deriveSessionKeys, helloReportData, transcriptHash } from './key-schedule.js';
import { CONFIRM_LENGTH, decodeMessage, encodeMessage, MessageType, NONCE_LENGTH, peekType, type ChannelMessage, type GroupName } from './messages.js';

export interface SecureChannelClientOptions {
  /** Sends one message to the host (the application's transport). */
  send: (message: Uint8Array) => void | Promise<void>;
  /** What the enclave must prove (measurement, signer, svn, debug, TCB, simulation, ...). */
  policy: AttestationPolicy;
  /** Key-exchange group. Default `x25519`. */
  group?: GroupName;
  /** The handshake must finish within this. Default 30 000 ms. */
  timeoutMs?: number;
  /** Receives the plaintext of each DATA message that arrives through `receive` after `init`. */
  onData?: (data: Uint8Array) => void;
  /** Called once when the channel fails after `init` (an ERROR from the host, a bad record, ...). */
  onError?: (error: SecGearError) => void;
}

type State = 'new' | 'hello-sent' | 'finish-sent' | 'open' | 'closing' | 'closed' | 'failed';

export class SecureChannelClient {
  readonly #options: SecureChannelClientOptions;
  #state: State = 'new';
  #sessionId: string | null = null;
  #peer: PeerAttestation | null = null;
  #records: AeadRecordLayer | null = null;
  #waiting: { resolve(m: ChannelMessage, bytes: Uint8Array): void; reject(e: unknown): void } | null = null;
  #closed: { resolve(): void } | null = null;

  constructor(options: SecureChannelClientOptions) {
    if (!options || typeof options.send !== 'function' || typeof options.policy !== 'object' || options.policy === null) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'SecureChannelClient needs { send, policy }');
    }
    if (options.group !== undefined && options.group !== 'p256' && options.group !== 'x25519') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'group must be "p256" or "x25519"');
    }
    this.#options = options;
  }

  /** The session id, once the enclave has named one. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** What the enclave proved, once `init` resolved. */
  get peer(): PeerAttestation | null {
    return this.#peer;
  }

  get state(): State {
    return this.#state;
  }

  /** Whether the enclave's authenticated close arrived (the stream was not cut short). */
  get closedByPeer(): boolean {
    return this.#records?.peerClosed ?? false;
  }

  /** The transport's receive callback: hand it every message from the host. */
  receive(message: Uint8Array): void {
    let m: ChannelMessage;
    try {
      m = decodeMessage(message);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (m.type === 'error') {
      this.#fail(new SecGearError(ErrorCode.PROTOCOL_STATE, `the enclave refused the secure channel: ${m.code}: ${m.message}`));
      return;
    }
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve(m, message);
      return;
    }
    if ((this.#state === 'open' || this.#state === 'closing') && m.type === 'data') {
      try {
        const data = this.#open(message);
        if (data && this.#options.onData) this.#options.onData(data);
      } catch (error) {
        this.#fail(error);
      }
      return;
    }
    this.#fail(new SecGearError(ErrorCode.PROTOCOL_STATE, `unexpected ${m.type} message in state ${this.#state}`));
  }

  #next(): Promise<{ m: ChannelMessage; bytes: Uint8Array }> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve: (m, bytes) => resolve({ m, bytes }), reject };
    });
  }

  /** Runs the handshake; resolves with what the enclave proved. Rejects (and fails the client) on any error. */
  async init(): Promise<PeerAttestation> {
    if (this.#state !== 'new') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'init() runs once per client');
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SecGearError(ErrorCode.TIMEOUT, `the secure channel handshake took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#handshake(), timeout]);
    } catch (error) {
      this.#fail(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #handshake(): Promise<PeerAttestation> {
    const group = this.#options.group ?? 'x25519';
    const nonce = new Uint8Array(randomBytes(NONCE_LENGTH));
    const clientHello = encodeMessage({ type: 'client-hello', group, nonce });
    this.#state = 'hello-sent';
    const reply = this.#next();
    await this.#options.send(clientHello);
    const { m: hello, bytes: serverHello } = await reply;
    if (hello.type !== 'server-hello') throw new SecGearError(ErrorCode.PROTOCOL_STATE, `expected SERVER_HELLO, got ${hello.type}`);
    if (hello.group !== group) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `the enclave answered in group ${hello.group}, not ${group}`);
    this.#sessionId = hello.sessionId;
    const { result, peer } = await appraisePeer({ mediaType: hello.mediaType, data: hello.evidence }, { ...this.#options.policy, nonce }, { what: 'secure channel enclave' });
    const expected = helloReportData(nonce, hello.sessionId, group, hello.share);
    // secGear's evidence binding of the nonce and this handshake's data (docs/formats/evidence-binding.md)
    if (!checkEvidenceBinding(result.claims, { nonce, reportData: expected }).ok) {
      throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the enclave\'s evidence does not bind this handshake (nonce, session id and key share): it was made for another session or the share was replaced');
    }
    const own = generateEphemeral(group);
    const z = sharedSecret(own, hello.share);
    const body = encodeMessage({ type: 'client-finish', sessionId: hello.sessionId, share: own.share, confirm: new Uint8Array(CONFIRM_LENGTH) }).subarray(0, -CONFIRM_LENGTH);
    const keys = deriveSessionKeys(z, transcriptHash(clientHello, serverHello, body));
    zeroize(z);
    const clientFinish = encodeMessage({ type: 'client-finish', sessionId: hello.sessionId, share: own.share, confirm: keys.clientConfirm });
    this.#state = 'finish-sent';
    const finishReply = this.#next();
    await this.#options.send(clientFinish);
    const { m: finish } = await finishReply;
    if (finish.type !== 'server-finish' || finish.sessionId !== hello.sessionId) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `expected SERVER_FINISH of this session, got ${finish.type}`);
    if (!constantTimeEqual(finish.confirm, keys.enclaveConfirm)) {
      zeroize(keys.recordSecret);
      throw new SecGearError(ErrorCode.CONFIRMATION_FAILED, 'the enclave\'s confirmation does not match: a handshake message was changed on the way');
    }
    this.#records = channelRecords(keys, 'client');
    this.#peer = peer;
    this.#state = 'open';
    return peer;
  }

  /** Encrypts `data` into a DATA message for the enclave (send it over the transport). */
  encrypt(data: Uint8Array): Uint8Array {
    const records = this.#expectOpen();
    return encodeMessage({ type: 'data', sessionId: this.#sessionId as string, record: records.encrypt(data) });
  }

  /**
   * Authenticates and decrypts a DATA message from the enclave. Returns null for the enclave's
   * close. A replayed, reordered, truncated or altered message fails the client for good.
   */
  decrypt(message: Uint8Array): Uint8Array | null {
    try {
      return this.#open(message);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  #open(message: Uint8Array): Uint8Array | null {
    const records = this.#records;
    if ((this.#state !== 'open' && this.#state !== 'closing') || !records) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `the secure channel is ${this.#state}`);
    if (!isBytes(message) || peekType(message) !== MessageType.Data) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'not a DATA message');
    const m = decodeMessage(message);
    if (m.type !== 'data' || m.sessionId !== this.#sessionId) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'a DATA message of another session');
    const opened = records.open(m.record);
    if (opened.type === 'close') {
      this.#state = 'closed';
      this.#closed?.resolve();
      return null;
    }
    return opened.data;
  }

  /**
   * Sends an authenticated close and waits (up to `timeoutMs`, default 5 000) for the
   * enclave's, which proves the enclave received everything sent before it.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state !== 'open') {
      this.#records?.close();
      if (this.#state !== 'closed') this.#state = 'closed';
      return;
    }
    const records = this.#records as AeadRecordLayer;
    const message = encodeMessage({ type: 'data', sessionId: this.#sessionId as string, record: records.encryptClose() });
    // closed for sending; the enclave's close still authenticates with the receiving key
    this.#state = 'closing';
    let timer: NodeJS.Timeout | undefined;
    const acknowledged = new Promise<void>((resolve) => {
      this.#closed = { resolve };
      timer = setTimeout(resolve, options.timeoutMs ?? 5_000);
    });
    await this.#options.send(message);
    await acknowledged;
    clearTimeout(timer);
    records.close();
    if (this.#state === 'closing') this.#state = 'closed';
  }

  #expectOpen(): AeadRecordLayer {
    if (this.#state !== 'open' || !this.#records) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `the secure channel is ${this.#state}; run init() on a new client`);
    return this.#records;
  }

  #fail(error: unknown): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.#closed?.resolve();
    const wasOpen = this.#state === 'open' || this.#state === 'closing';
    this.#state = 'failed';
    this.#records?.close();
    const e = error instanceof SecGearError ? error : new SecGearError(ErrorCode.PROTOCOL_STATE, String(error));
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(e);
    if (wasOpen) this.#options.onError?.(e);
  }
}

export type { ErrorCodeName };
