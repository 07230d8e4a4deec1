/**
 * The enclave's side of the secure channel (after secGear's cc_sec_chl_enclave_*): answers
 * handshakes with evidence binding its ephemeral share, keeps a bounded table of sessions, and
 * encrypts and decrypts records for the trusted code by session id. Keys never leave it.
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual, isBytes, toHex, zeroize } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { getEvidence } from '../../enclave/evidence.js';
import type { AeadRecordLayer } from '../../records/record-layer.js';
import { RECORD_TYPE_CLOSE } from '../../records/record-layer.js';
import { generateEphemeral, sharedSecret, type EphemeralKey } from '../key-exchange.js';
import { channelRecords, deriveSessionKeys, helloReportData, transcriptHash } from '../key-schedule.js';
import { CONFIRM_LENGTH, decodeMessage, encodeMessage, MessageType, peekType, SESSION_ID_LENGTH, type GroupName } from '../messages.js';

export interface SecureChannelOptions {
  /** Sessions at once, handshaking or established. Default 256. */
  maxSessions?: number;
  /** A handshake must finish within this. Default 30 000 ms. */
  handshakeTimeoutMs?: number;
  /** An established session lives at most this long. Default 3 600 000 ms. */
  sessionTtlMs?: number;
  /** An established session without a record for this long is dropped. Default 600 000 ms. */
  idleTimeoutMs?: number;
  /** Key-exchange groups accepted. Default both. */
  groups?: GroupName[];
  /** Clock (ms since the epoch; the host's clock). Default Date.now. */
  now?: () => number;
}

type Session =
  | { phase: 'handshake'; id: string; group: GroupName; ephemeral: EphemeralKey; clientHello: Uint8Array; serverHello: Uint8Array; deadline: number }
  | { phase: 'open'; id: string; records: AeadRecordLayer; expires: number; idleUntil: number };

/** The ecalls the host's `SecureChannelServer` calls (spread them into `defineEnclave`). */
export interface SecureChannelEcalls {
  secChlHandshake(message: Uint8Array): Promise<Uint8Array>;
  secChlClose(sessionId: string, message: Uint8Array | null): Promise<Uint8Array | null>;
}

export class SecureChannelService {
  #sessions = new Map<string, Session>();
  #options: Required<SecureChannelOptions> = { maxSessions: 256, handshakeTimeoutMs: 30_000, sessionTtlMs: 3_600_000, idleTimeoutMs: 600_000, groups: ['p256', 'x25519'], now: Date.now };

  /** Changes the limits (sessions already open keep their deadlines). */
  configure(options: SecureChannelOptions): void {
    const o = { ...this.#options, ...options };
    for (const key of ['maxSessions', 'handshakeTimeoutMs', 'sessionTtlMs', 'idleTimeoutMs'] as const) {
      if (!Number.isInteger(o[key]) || o[key] <= 0) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `secureChannel.configure: ${key} must be a positive integer`);
    }
    if (!Array.isArray(o.groups) || o.groups.length === 0 || o.groups.some((g) => g !== 'p256' && g !== 'x25519')) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'secureChannel.configure: groups is a non-empty list of "p256" and "x25519"');
    }
    if (typeof o.now !== 'function') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'secureChannel.configure: now must be a function');
    this.#options = o;
  }

  /** Sessions held now (handshaking and established). */
  get size(): number {
    return this.#sessions.size;
  }

  /** The ecall table for `defineEnclave({ ecalls: { ...secureChannel.ecalls, ... } })`. */
  get ecalls(): SecureChannelEcalls {
    return {
      secChlHandshake: (message) => this.handshake(message),
      secChlClose: async (sessionId, message) => this.closeFromPeer(sessionId, message),
    };
  }

  /** CLIENT_HELLO → SERVER_HELLO, CLIENT_FINISH → SERVER_FINISH. */
  async handshake(message: Uint8Array): Promise<Uint8Array> {
    const type = peekType(message);
    if (type === MessageType.ClientHello) return this.#hello(message);
    if (type === MessageType.ClientFinish) return this.#finish(message);
    throw new SecGearError(ErrorCode.PROTOCOL_STATE, `message type ${type} is not a handshake message the enclave answers`);
  }

  async #hello(bytes: Uint8Array): Promise<Uint8Array> {
    const m = decodeMessage(bytes);
    if (m.type !== 'client-hello') throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'expected CLIENT_HELLO');
    if (!this.#options.groups.includes(m.group)) throw new SecGearError(ErrorCode.NOT_SUPPORTED, `key-exchange group ${m.group} is not accepted by this enclave`);
    this.#sweep();
    if (this.#sessions.size >= this.#options.maxSessions) throw new SecGearError(ErrorCode.RATE_LIMITED, `the enclave holds ${this.#options.maxSessions} secure channel sessions; close some or try later`);
    const id = toHex(new Uint8Array(randomBytes(SESSION_ID_LENGTH)));
    const ephemeral = generateEphemeral(m.group);
    const evidence = await getEvidence({ nonce: m.nonce, reportData: helloReportData(m.nonce, id, m.group, ephemeral.share) });
    const serverHello = encodeMessage({ type: 'server-hello', sessionId: id, group: m.group, share: ephemeral.share, mediaType: evidence.mediaType, evidence: evidence.data });
    this.#sessions.set(id, { phase: 'handshake', id, group: m.group, ephemeral, clientHello: bytes.slice(), serverHello, deadline: this.#options.now() + this.#options.handshakeTimeoutMs });
    return serverHello;
  }

  #finish(bytes: Uint8Array): Uint8Array {
    const first = decodeMessage(bytes);
    if (first.type !== 'client-finish') throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'expected CLIENT_FINISH');
    const sessionId = first.sessionId;
    const session = this.#sessions.get(sessionId);
    if (!session || session.phase !== 'handshake') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'no handshake in progress for this session id');
    // whatever happens next, this handshake is used up
    this.#sessions.delete(sessionId);
    if (this.#options.now() > session.deadline) throw new SecGearError(ErrorCode.TIMEOUT, 'the handshake took too long; start a new one');
    const m = decodeMessage(bytes, session.group);
    if (m.type !== 'client-finish') throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'expected CLIENT_FINISH');
    const z = sharedSecret(session.ephemeral, m.share);
    const th = transcriptHash(session.clientHello, session.serverHello, bytes.subarray(0, bytes.byteLength - CONFIRM_LENGTH));
    const keys = deriveSessionKeys(z, th);
    zeroize(z);
    if (!constantTimeEqual(keys.clientConfirm, m.confirm)) {
      zeroize(keys.recordSecret);
      throw new SecGearError(ErrorCode.CONFIRMATION_FAILED, 'the client\'s confirmation does not match: a handshake message was changed on the way, or the client holds other keys');
    }
    const now = this.#options.now();
    this.#sessions.set(sessionId, { phase: 'open', id: sessionId, records: channelRecords(keys, 'enclave'), expires: now + this.#options.sessionTtlMs, idleUntil: now + this.#options.idleTimeoutMs });
    return encodeMessage({ type: 'server-finish', sessionId, confirm: keys.enclaveConfirm });
  }

  #open(sessionId: string): Extract<Session, { phase: 'open' }> {
    if (typeof sessionId !== 'string') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'sessionId must be the session id string');
    const session = this.#sessions.get(sessionId);
    if (!session || session.phase !== 'open') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'no established secure channel session with this id (closed, expired or never opened)');
    const now = this.#options.now();
    if (now > session.expires || now > session.idleUntil) {
      this.#drop(session);
      throw new SecGearError(ErrorCode.TIMEOUT, 'the secure channel session expired; the client must run a new handshake');
    }
    session.idleUntil = now + this.#options.idleTimeoutMs;
    return session;
  }

  /** Encrypts `data` for the client of `sessionId` into a DATA message. */
  encrypt(sessionId: string, data: Uint8Array): Uint8Array {
    const session = this.#open(sessionId);
    return encodeMessage({ type: 'data', sessionId, record: session.records.encrypt(data) });
  }

  /** Authenticates and decrypts a DATA message from the client of `sessionId`. A failure ends the session. */
  decrypt(sessionId: string, message: Uint8Array): Uint8Array {
    const session = this.#open(sessionId);
    try {
      const m = decodeMessage(message);
      if (m.type !== 'data' || m.sessionId !== sessionId) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'not a DATA message of this session');
      return session.records.decrypt(m.record);
    } catch (error) {
      this.#drop(session);
      throw error;
    }
  }

  /**
   * Closes a session. With the client's close message: checks it (its sequence number proves
   * nothing was cut off) and returns the enclave's own close message to relay back. Without:
   * the transport went away; the session is forgotten.
   */
  closeFromPeer(sessionId: string, message: Uint8Array | null): Uint8Array | null {
    const session = this.#sessions.get(sessionId);
    if (!session) return null;
    if (message === null || session.phase !== 'open') {
      this.#drop(session);
      return null;
    }
    try {
      if (!isBytes(message)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the close message must be bytes');
      const m = decodeMessage(message);
      if (m.type !== 'data' || m.sessionId !== sessionId || m.record[1] !== RECORD_TYPE_CLOSE) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'not a close record of this session');
      const opened = session.records.open(m.record);
      if (opened.type !== 'close') throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'not a close record');
      return encodeMessage({ type: 'data', sessionId, record: session.records.encryptClose() });
    } finally {
      this.#drop(session);
    }
  }

  /** Ends a session from inside the enclave and returns the close message for the client. */
  close(sessionId: string): Uint8Array {
    const session = this.#open(sessionId);
    try {
      return encodeMessage({ type: 'data', sessionId, record: session.records.encryptClose() });
    } finally {
      this.#drop(session);
    }
  }

  #drop(session: Session): void {
    this.#sessions.delete(session.id);
    if (session.phase === 'open') session.records.close();
  }

  #sweep(): void {
    const now = this.#options.now();
    for (const s of [...this.#sessions.values()]) {
      if (s.phase === 'handshake' ? now > s.deadline : now > s.expires || now > s.idleUntil) this.#drop(s);
    }
  }
}
