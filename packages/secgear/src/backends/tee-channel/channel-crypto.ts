/**
 * The host↔enclave channel of the gramine-sgx backend (docs/formats/tee-channel.md). Gramine's
 * boundary is crossed by a loopback TCP socket, which any local process can reach, so the
 * channel is our own: the enclave sends a hello with an ephemeral X25519 key and evidence whose
 * report data binds both parties' keys; both derive one AES-256-GCM key per direction with
 * HKDF-SHA256 over the shared secret and the transcript; records carry a 64-bit sequence number
 * in the nonce, so they cannot be replayed, dropped or reordered unnoticed.
 */
import { createCipheriv, createDecipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../common/errors.js';

export const CHANNEL_MAGIC = new TextEncoder().encode('SGCH\x01');
const CHANNEL_LABEL = 'secgear tee channel v1';
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const TAG = 16;

export interface ChannelKeyPair {
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

export function generateChannelKey(): ChannelKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKey: new Uint8Array((publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12)) };
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== 32) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'a channel public key is 32 bytes (X25519)');
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** What the enclave's evidence must carry in its report data for this pair of keys (before evidence binding). */
export function channelBindingData(hostPublic: Uint8Array, enclavePublic: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(CHANNEL_LABEL).update(hostPublic).update(enclavePublic).digest());
}

export interface DirectionKeys {
  hostToEnclave: Uint8Array;
  enclaveToHost: Uint8Array;
}

export function deriveChannelKeys(own: ChannelKeyPair, peerPublic: Uint8Array, hostPublic: Uint8Array, enclavePublic: Uint8Array): DirectionKeys {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: own.privateKey, publicKey: publicKeyObject(peerPublic) });
  } catch (error) {
    // OpenSSL refuses an all-zero shared secret (a low-order peer key)
    throw new SecGearError(ErrorCode.INVALID_POINT, 'the peer sent an unusable X25519 key', { cause: error });
  }
  if (shared.every((b) => b === 0)) throw new SecGearError(ErrorCode.INVALID_POINT, 'the peer sent a low-order X25519 key');
  const salt = channelBindingData(hostPublic, enclavePublic);
  const key = (info: string) => new Uint8Array(hkdfSync('sha256', shared, salt, `${CHANNEL_LABEL} ${info}`, 32));
  const keys = { hostToEnclave: key('host to enclave'), enclaveToHost: key('enclave to host') };
  shared.fill(0); // only after both keys are derived from it
  return keys;
}

/** Seals and opens records of one direction, counting sequence numbers. */
export class RecordCipher {
  private sequence = 0n;

  constructor(private readonly key: Uint8Array) {}

  private nonce(): Buffer {
    const iv = Buffer.alloc(12);
    iv.writeBigUInt64BE(this.sequence, 4);
    this.sequence++;
    return iv;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    const cipher = createCipheriv('aes-256-gcm', this.key, this.nonce());
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return new Uint8Array(body);
  }

  open(record: Uint8Array): Uint8Array {
    if (record.byteLength < TAG) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'a channel record is shorter than its tag');
    const decipher = createDecipheriv('aes-256-gcm', this.key, this.nonce());
    decipher.setAuthTag(record.subarray(record.byteLength - TAG));
    try {
      return new Uint8Array(Buffer.concat([decipher.update(record.subarray(0, record.byteLength - TAG)), decipher.final()]));
    } catch (error) {
      throw new SecGearError(ErrorCode.MAC_INVALID, 'a channel record failed authentication (altered, replayed or out of order)', { cause: error });
    }
  }

  wipe(): void {
    this.key.fill(0);
  }
}

/** The enclave's hello: magic, its public key, its evidence (media type and bytes). */
export interface ChannelHello {
  enclavePublic: Uint8Array;
  mediaType: string;
  evidence: Uint8Array;
}

export function encodeHello(hello: ChannelHello): Uint8Array {
  const type = new TextEncoder().encode(hello.mediaType);
  const out = Buffer.alloc(CHANNEL_MAGIC.byteLength + 32 + 2 + type.byteLength + 4 + hello.evidence.byteLength);
  let o = 0;
  out.set(CHANNEL_MAGIC, o);
  o += CHANNEL_MAGIC.byteLength;
  out.set(hello.enclavePublic, o);
  o += 32;
  out.writeUInt16BE(type.byteLength, o);
  out.set(type, o + 2);
  o += 2 + type.byteLength;
  out.writeUInt32BE(hello.evidence.byteLength, o);
  out.set(hello.evidence, o + 4);
  return new Uint8Array(out);
}

export function parseHello(bytes: Uint8Array): ChannelHello {
  const bad = (why: string): never => {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `enclave hello: ${why}`);
  };
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.byteLength < CHANNEL_MAGIC.byteLength + 32 + 2 + 4 || !b.subarray(0, CHANNEL_MAGIC.byteLength).equals(CHANNEL_MAGIC)) bad('wrong magic or too short');
  let o = CHANNEL_MAGIC.byteLength;
  const enclavePublic = new Uint8Array(b.subarray(o, o + 32));
  o += 32;
  const typeLength = b.readUInt16BE(o);
  if (typeLength > 256 || o + 2 + typeLength + 4 > b.byteLength) bad('bad media type length');
  const mediaType = b.subarray(o + 2, o + 2 + typeLength).toString('utf8');
  o += 2 + typeLength;
  const evidenceLength = b.readUInt32BE(o);
  if (o + 4 + evidenceLength !== b.byteLength) bad('the evidence length does not match the hello size');
  return { enclavePublic, mediaType, evidence: new Uint8Array(b.subarray(o + 4)) };
}

