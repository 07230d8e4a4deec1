/**
 * AEAD record layer keyed by a SPAKE2+ K_shared (byte table: docs/formats/pake-records.md).
 *
 * Each direction has its own AES-256-GCM key and 12-byte IV from HKDF-SHA256(K_shared); the
 * nonce is IV XOR the 64-bit sequence number (as in TLS 1.3), and the header (version, type,
 * sequence) is authenticated as additional data. Records must arrive exactly in order: a
 * sequence number already seen is a replay (CC_ERROR_REPLAY), a later one is a reordering or a
 * loss (CC_ERROR_PROTOCOL_STATE). Any failure closes the layer for good, as TLS does.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { concatBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';

export const RECORD_VERSION = 0x01;
export const RECORD_TYPE_DATA = 0x17;
export const RECORD_HEADER_LENGTH = 10;
export const RECORD_TAG_LENGTH = 16;
/** Largest plaintext of one record. */
export const MAX_RECORD_PLAINTEXT = 64 * 1024;
/** Records per direction before the session must be renewed (AES-GCM usage limit, TLS 1.3 style). */
export const MAX_RECORDS = 2 ** 24;

export type RecordRole = 'prover' | 'verifier';
export type RecordLayerState = 'open' | 'failed' | 'closed';

interface Direction {
  key: Uint8Array;
  iv: Uint8Array;
  seq: number;
}

const LABEL_P2V = new TextEncoder().encode('secgear pake record v1 prover to verifier');
const LABEL_V2P = new TextEncoder().encode('secgear pake record v1 verifier to prover');

function direction(sharedKey: Uint8Array, label: Uint8Array): Direction {
  const okm = new Uint8Array(hkdfSync('sha256', sharedKey, new Uint8Array(0), label, 44));
  const dir = { key: okm.slice(0, 32), iv: okm.slice(32), seq: 0 };
  zeroize(okm);
  return dir;
}

export class RecordLayer {
  readonly role: RecordRole;
  #state: RecordLayerState = 'open';
  readonly #send: Direction;
  readonly #receive: Direction;

  /**
   * @param sharedKey K_shared from a completed SPAKE2+ handshake (at least 32 bytes). The layer
   * derives its own keys; the caller may zeroize `sharedKey` afterwards.
   * @param role which side this is: the prover sends with the prover-to-verifier key.
   */
  constructor(sharedKey: Uint8Array, role: RecordRole) {
    if (!(sharedKey instanceof Uint8Array) || sharedKey.byteLength < 32) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the record layer needs the 32-byte shared key of a completed handshake');
    }
    if (role !== 'prover' && role !== 'verifier') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `role must be "prover" or "verifier", got ${String(role)}`);
    }
    this.role = role;
    const p2v = direction(sharedKey, LABEL_P2V);
    const v2p = direction(sharedKey, LABEL_V2P);
    this.#send = role === 'prover' ? p2v : v2p;
    this.#receive = role === 'prover' ? v2p : p2v;
  }

  get state(): RecordLayerState {
    return this.#state;
  }

  /** Records sent and received so far. */
  get counts(): { sent: number; received: number } {
    return { sent: this.#send.seq, received: this.#receive.seq };
  }

  /** Encrypts one message into one record. */
  encrypt(plaintext: Uint8Array): Uint8Array {
    this.#expectOpen();
    if (!(plaintext instanceof Uint8Array)) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'record plaintext must be a Uint8Array');
    }
    if (plaintext.byteLength > MAX_RECORD_PLAINTEXT) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `record plaintext is ${plaintext.byteLength} bytes; split it into records of at most ${MAX_RECORD_PLAINTEXT}`);
    }
    if (this.#send.seq >= MAX_RECORDS) {
      this.#fail();
      throw new SecGearError(ErrorCode.PROTOCOL_STATE, `this session has sent ${MAX_RECORDS} records; run a new handshake`);
    }
    const header = writeHeader(this.#send.seq);
    const cipher = createCipheriv('aes-256-gcm', this.#send.key, nonce(this.#send), { authTagLength: RECORD_TAG_LENGTH });
    cipher.setAAD(header);
    const body = cipher.update(plaintext);
    cipher.final();
    this.#send.seq++;
    return concatBytes(header, body, cipher.getAuthTag());
  }

  /** Authenticates and decrypts the next record. Never returns unauthenticated bytes. */
  decrypt(record: Uint8Array): Uint8Array {
    this.#expectOpen();
    try {
      if (!(record instanceof Uint8Array) || record.byteLength < RECORD_HEADER_LENGTH + RECORD_TAG_LENGTH) {
        throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'record too short');
      }
      if (record.byteLength > RECORD_HEADER_LENGTH + MAX_RECORD_PLAINTEXT + RECORD_TAG_LENGTH) {
        throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'record longer than the largest allowed');
      }
      if (record[0] !== RECORD_VERSION || record[1] !== RECORD_TYPE_DATA) {
        throw new SecGearError(ErrorCode.INVALID_MESSAGE, `unknown record version ${record[0]} or type 0x${record[1].toString(16)}`);
      }
      const seq = new DataView(record.buffer, record.byteOffset + 2, 8).getBigUint64(0);
      const expected = BigInt(this.#receive.seq);
      if (seq < expected) throw new SecGearError(ErrorCode.REPLAY, `record ${seq} was already received (expected ${expected}): replay refused`);
      if (seq > expected) throw new SecGearError(ErrorCode.PROTOCOL_STATE, `record ${seq} arrived before record ${expected}: reordered or lost records are refused`);
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
      // a copy over memory of its own: Node may hand out views of a shared pool
      const out = new Uint8Array(plain);
      plain.fill(0);
      return out;
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

function writeHeader(seq: number): Uint8Array {
  const header = new Uint8Array(RECORD_HEADER_LENGTH);
  header[0] = RECORD_VERSION;
  header[1] = RECORD_TYPE_DATA;
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
