/**
 * AEAD records with sequence numbers, shared by the PAKE session and the secure channel
 * (byte tables: docs/formats/pake-records.md, docs/formats/secure-channel.md).
 *
 * Each direction has its own AES-256-GCM key and 12-byte IV from HKDF-SHA256 over a secret the
 * handshake agreed, with a label per direction; the nonce is IV XOR the 64-bit sequence number
 * (as in TLS 1.3), and the header (version, type, sequence) is authenticated as additional
 * data. Records must arrive exactly in order: a sequence number already seen is a replay
 * (CC_ERROR_REPLAY), a later one is a reordering or a loss (CC_ERROR_PROTOCOL_STATE). A close
 * record (where the protocol allows one) is sequenced too, so a truncated stream is noticed.
 * Any failure closes the layer for good, as TLS does.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { concatBytes, isBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';

export const RECORD_VERSION = 0x01;
export const RECORD_TYPE_DATA = 0x17;
/** An authenticated end of stream (empty plaintext). */
export const RECORD_TYPE_CLOSE = 0x15;
export const RECORD_HEADER_LENGTH = 10;
export const RECORD_TAG_LENGTH = 16;
/** Largest plaintext of one record. */
export const MAX_RECORD_PLAINTEXT = 64 * 1024;
/** Records per direction before the session must be renewed (AES-GCM usage limit, TLS 1.3 style). */
export const MAX_RECORDS = 2 ** 24;

export type RecordLayerState = 'open' | 'failed' | 'closed';

export interface RecordLayerKeys {
  /** The handshake's secret (at least 32 bytes); the caller may zeroize it afterwards. */
  secret: Uint8Array;
  /** HKDF info of the direction this side sends in. */
  sendLabel: Uint8Array;
  /** HKDF info of the direction this side receives in. */
  receiveLabel: Uint8Array;
  /** HKDF salt. Default empty. */
  salt?: Uint8Array;
  /** Whether close records are part of the protocol. Default false (data records only). */
  closeRecords?: boolean;
}

/** What `open` returns: a data record's plaintext, or the peer's authenticated close. */
export type OpenedRecord = { type: 'data'; data: Uint8Array } | { type: 'close' };

interface Direction {
  key: Uint8Array;
  iv: Uint8Array;
  seq: number;
}

function direction(secret: Uint8Array, salt: Uint8Array, label: Uint8Array): Direction {
  const okm = new Uint8Array(hkdfSync('sha256', secret, salt, label, 44));
  const dir = { key: okm.slice(0, 32), iv: okm.slice(32), seq: 0 };
  zeroize(okm);
  return dir;
}

export class AeadRecordLayer {
  #state: RecordLayerState = 'open';
  readonly #send: Direction;
  readonly #receive: Direction;
  readonly #closeRecords: boolean;
  #peerClosed = false;
  #sendClosed = false;

  constructor(keys: RecordLayerKeys) {
    if (!isBytes(keys?.secret) || keys.secret.byteLength < 32) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the record layer needs the 32-byte shared secret of a completed handshake');
    }
    const salt = keys.salt ?? new Uint8Array(0);
    this.#send = direction(keys.secret, salt, keys.sendLabel);
    this.#receive = direction(keys.secret, salt, keys.receiveLabel);
    this.#closeRecords = keys.closeRecords ?? false;
  }

  get state(): RecordLayerState {
    return this.#state;
  }

  /** Whether the peer's authenticated close record arrived (so nothing was cut off). */
  get peerClosed(): boolean {
    return this.#peerClosed;
  }

  /** Records sent and received so far. */
  get counts(): { sent: number; received: number } {
    return { sent: this.#send.seq, received: this.#receive.seq };
  }

  /** Encrypts one message into one data record. */
  encrypt(plaintext: Uint8Array): Uint8Array {
    this.#expectOpen();
    if (this.#peerClosed || this.#sendClosed) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'the session is closing; only a close record may be sent');
    if (!isBytes(plaintext)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'record plaintext must be a Uint8Array');
    if (plaintext.byteLength > MAX_RECORD_PLAINTEXT) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `record plaintext is ${plaintext.byteLength} bytes; split it into records of at most ${MAX_RECORD_PLAINTEXT}`);
    }
    return this.#seal(RECORD_TYPE_DATA, plaintext);
  }

  /** The authenticated close record; nothing may be sent after it. */
  encryptClose(): Uint8Array {
    if (!this.#closeRecords) throw new SecGearError(ErrorCode.NOT_SUPPORTED, 'this protocol has no close records');
    if (this.#sendClosed) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'the close record was already sent');
    const record = this.#seal(RECORD_TYPE_CLOSE, new Uint8Array(0));
    this.#sendClosed = true;
    zeroize(this.#send.key);
    zeroize(this.#send.iv);
    // the peer's close may still arrive and authenticate (half-close)
    if (this.#peerClosed) this.close();
    return record;
  }

  /** Authenticates and decrypts the next data record. Never returns unauthenticated bytes. */
  decrypt(record: Uint8Array): Uint8Array {
    const opened = this.open(record);
    if (opened.type !== 'data') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'the peer closed the session');
    return opened.data;
  }

  /** Authenticates and decrypts the next record of any type. */
  open(record: Uint8Array): OpenedRecord {
    this.#expectOpen();
    if (this.#peerClosed) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'the peer closed the session; nothing may follow its close record');
    try {
      if (!isBytes(record) || record.byteLength < RECORD_HEADER_LENGTH + RECORD_TAG_LENGTH) {
        throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'record too short');
      }
      if (record.byteLength > RECORD_HEADER_LENGTH + MAX_RECORD_PLAINTEXT + RECORD_TAG_LENGTH) {
        throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'record longer than the largest allowed');
      }
      const type = record[1];
      if (record[0] !== RECORD_VERSION || (type !== RECORD_TYPE_DATA && !(this.#closeRecords && type === RECORD_TYPE_CLOSE))) {
        throw new SecGearError(ErrorCode.INVALID_MESSAGE, `unknown record version ${record[0]} or type 0x${type.toString(16)}`);
      }
      const seq = new DataView(record.buffer, record.byteOffset + 2, 8).getBigUint64(0);
      const expected = BigInt(this.#receive.seq);
      if (seq < expected) throw new SecGearError(ErrorCode.REPLAY, `record ${seq} was already received (expected ${expected}): replay refused`);
      if (seq > expected) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `record ${seq} arrived before record ${expected}: reordered, lost or truncated records are refused`);
      const end = record.byteLength - RECORD_TAG_LENGTH;
      const decipher = createDecipheriv('aes-256-gcm', this.#receive.key, nonce(this.#receive), { authTagLength: RECORD_TAG_LENGTH });
      decipher.setAAD(record.subarray(0, RECORD_HEADER_LENGTH));
      decipher.setAuthTag(record.subarray(end));
      const plain = decipher.update(record.subarray(RECORD_HEADER_LENGTH, end));
      try {
        decipher.final();
      } catch (cause) {
        plain.fill(0);
        throw new SecGearError(ErrorCode.MAC_INVALID, 'record authentication failed: it was altered or not sent by the peer of this session', { cause });
      }
      this.#receive.seq++;
      if (type === RECORD_TYPE_CLOSE) {
        if (plain.byteLength !== 0) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'a close record carries no data');
        // only our own close may follow
        this.#peerClosed = true;
        if (this.#sendClosed) this.close();
        return { type: 'close' };
      }
      // a copy over memory of its own: Node may hand out views of a shared pool
      const data = new Uint8Array(plain);
      plain.fill(0);
      return { type: 'data', data };
    } catch (error) {
      this.#fail();
      throw error;
    }
  }

  /** Ends the session and overwrites the record keys. */
  close(): void {
    if (this.#state === 'open') this.#state = 'closed';
    this.#wipe();
  }

  #seal(type: number, plaintext: Uint8Array): Uint8Array {
    this.#expectOpen();
    if (this.#send.seq >= MAX_RECORDS) {
      this.#fail();
      throw new SecGearError(ErrorCode.PROTOCOL_STATE, `this session has sent ${MAX_RECORDS} records; run a new handshake`);
    }
    const header = writeHeader(type, this.#send.seq);
    const cipher = createCipheriv('aes-256-gcm', this.#send.key, nonce(this.#send), { authTagLength: RECORD_TAG_LENGTH });
    cipher.setAAD(header);
    const body = cipher.update(plaintext);
    cipher.final();
    this.#send.seq++;
    return concatBytes(header, body, cipher.getAuthTag());
  }

  #expectOpen(): void {
    if (this.#state !== 'open') {
      throw new SecGearError(ErrorCode.PROTOCOL_STATE, `the record layer is ${this.#state}; run a new handshake`);
    }
  }

  #fail(): void {
    this.#state = 'failed';
    this.#wipe();
  }

  #wipe(): void {
    for (const d of [this.#send, this.#receive]) {
      zeroize(d.key);
      zeroize(d.iv);
    }
  }
}

function writeHeader(type: number, seq: number): Uint8Array {
  const header = new Uint8Array(RECORD_HEADER_LENGTH);
  header[0] = RECORD_VERSION;
  header[1] = type;
  new DataView(header.buffer).setBigUint64(2, BigInt(seq));
  return header;
}

function nonce(d: Direction): Uint8Array {
  const n = d.iv.slice();
  const seq = new Uint8Array(8);
  new DataView(seq.buffer).setBigUint64(0, BigInt(d.seq));
  for (let i = 0; i < 8; i++) n[4 + i] ^= seq[i];
  return n;
}
