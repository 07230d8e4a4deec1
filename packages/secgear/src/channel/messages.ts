/**
 * Secure channel messages, version 1 (byte tables: docs/formats/secure-channel.md). Decoding
 * checks every length against the bytes present and the documented limits.
 */
import { concatBytes, isBytes, toHex, fromHex } from '../common/bytes.js';
import { ErrorCode, SecGearError, type ErrorCodeName } from '../common/errors.js';

export const CHANNEL_MAGIC = 0x53475343; // "SGSC"
export const CHANNEL_VERSION = 1;
export const HEADER_LENGTH = 6;
export const NONCE_LENGTH = 32;
export const SESSION_ID_LENGTH = 16;
export const CONFIRM_LENGTH = 32;
export const MAX_EVIDENCE = 64 * 1024;
const MAX_MEDIA_TYPE = 255;
const MAX_ERROR_TEXT = 1024;

export const MessageType = { ClientHello: 1, ServerHello: 2, ClientFinish: 3, ServerFinish: 4, Data: 5, Error: 6 } as const;

export type GroupName = 'p256' | 'x25519';
export const GROUP_CODES: Record<GroupName, number> = { p256: 1, x25519: 2 };
export const SHARE_LENGTHS: Record<GroupName, number> = { p256: 65, x25519: 32 };

export type ChannelMessage =
  | { type: 'client-hello'; group: GroupName; nonce: Uint8Array }
  | { type: 'server-hello'; sessionId: string; group: GroupName; share: Uint8Array; mediaType: string; evidence: Uint8Array }
  | { type: 'client-finish'; sessionId: string; share: Uint8Array; confirm: Uint8Array }
  | { type: 'server-finish'; sessionId: string; confirm: Uint8Array }
  | { type: 'data'; sessionId: string; record: Uint8Array }
  | { type: 'error'; sessionId: string | null; code: string; message: string };

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_MESSAGE, `secure channel message: ${message}`);
}

function utf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bad(`the ${what} is not UTF-8`);
  }
}

function groupName(code: number): GroupName {
  if (code === 1) return 'p256';
  if (code === 2) return 'x25519';
  return bad(`unknown key-exchange group ${code}`);
}

/** A reader over one message that refuses to read past its end. */
class Reader {
  offset = HEADER_LENGTH;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(n: number, what: string): Uint8Array {
    if (this.offset + n > this.bytes.byteLength) bad(`truncated in ${what}`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(what: string): number {
    return this.take(1, what)[0];
  }
  u16(what: string): number {
    this.take(2, what);
    return this.view.getUint16(this.offset - 2, false);
  }
  u32(what: string): number {
    this.take(4, what);
    return this.view.getUint32(this.offset - 4, false);
  }
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.offset);
    this.offset = this.bytes.byteLength;
    return out;
  }
  end(): void {
    if (this.offset !== this.bytes.byteLength) bad(`${this.bytes.byteLength - this.offset} trailing bytes`);
  }
}

function header(type: number): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH);
  new DataView(out.buffer).setUint32(0, CHANNEL_MAGIC);
  out[4] = CHANNEL_VERSION;
  out[5] = type;
  return out;
}

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);

function sessionBytes(id: string | null): Uint8Array {
  if (id === null) return new Uint8Array(SESSION_ID_LENGTH);
  const bytes = fromHex(id);
  if (bytes.byteLength !== SESSION_ID_LENGTH) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `a session id is ${SESSION_ID_LENGTH * 2} hex digits`);
  return bytes;
}

export function encodeMessage(m: ChannelMessage): Uint8Array {
  switch (m.type) {
    case 'client-hello':
      return concatBytes(header(MessageType.ClientHello), Uint8Array.of(GROUP_CODES[m.group]), m.nonce);
    case 'server-hello': {
      const mediaType = new TextEncoder().encode(m.mediaType);
      if (mediaType.byteLength > MAX_MEDIA_TYPE || m.evidence.byteLength > MAX_EVIDENCE) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'evidence or media type too large for a secure channel message');
      return concatBytes(header(MessageType.ServerHello), sessionBytes(m.sessionId), Uint8Array.of(GROUP_CODES[m.group]), u16(m.share.byteLength), m.share, u16(mediaType.byteLength), mediaType, u32(m.evidence.byteLength), m.evidence);
    }
    case 'client-finish':
      return concatBytes(header(MessageType.ClientFinish), sessionBytes(m.sessionId), u16(m.share.byteLength), m.share, m.confirm);
    case 'server-finish':
      return concatBytes(header(MessageType.ServerFinish), sessionBytes(m.sessionId), m.confirm);
    case 'data':
      return concatBytes(header(MessageType.Data), sessionBytes(m.sessionId), m.record);
    case 'error': {
      const code = new TextEncoder().encode(m.code.slice(0, 64));
      const text = new TextEncoder().encode(m.message).subarray(0, MAX_ERROR_TEXT);
      return concatBytes(header(MessageType.Error), sessionBytes(m.sessionId), Uint8Array.of(code.byteLength), code, u16(text.byteLength), text);
    }
  }
}

/** The message type of `bytes` after checking magic and version; throws CC_ERROR_INVALID_MESSAGE. */
export function peekType(bytes: unknown): number {
  if (!isBytes(bytes) || bytes.byteLength < HEADER_LENGTH) bad('shorter than its header');
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) !== CHANNEL_MAGIC) bad('bad magic (not a secure channel message)');
  if (bytes[4] !== CHANNEL_VERSION) bad(`unsupported version ${bytes[4]} (this side speaks version ${CHANNEL_VERSION})`);
  return bytes[5];
}

function share(r: Reader, group: GroupName): Uint8Array {
  const length = r.u16('share length');
  if (length !== SHARE_LENGTHS[group]) bad(`a ${group} share is ${SHARE_LENGTHS[group]} bytes, got ${length}`);
  return r.take(length, 'share');
}

/** Decodes any message; `group` is needed to read CLIENT_FINISH shares (the session's group). */
export function decodeMessage(bytes: Uint8Array, group?: GroupName): ChannelMessage {
  const type = peekType(bytes);
  const r = new Reader(bytes);
  const session = () => toHex(r.take(SESSION_ID_LENGTH, 'session id'));
  let m: ChannelMessage;
  switch (type) {
    case MessageType.ClientHello:
      m = { type: 'client-hello', group: groupName(r.u8('group')), nonce: r.take(NONCE_LENGTH, 'nonce') };
      break;
    case MessageType.ServerHello: {
      const sessionId = session();
      const g = groupName(r.u8('group'));
      const s = share(r, g);
      const mediaType = utf8(r.take(r.u16('media type length'), 'media type'), 'media type');
      const evidenceLength = r.u32('evidence length');
      if (evidenceLength === 0 || evidenceLength > MAX_EVIDENCE) bad(`evidence length ${evidenceLength} is outside 1..${MAX_EVIDENCE}`);
      m = { type: 'server-hello', sessionId, group: g, share: s, mediaType, evidence: r.take(evidenceLength, 'evidence') };
      break;
    }
    case MessageType.ClientFinish: {
      const sessionId = session();
      if (!group) {
        // the share's length names its group
        const length = r.bytes.byteLength >= r.offset + 2 ? r.view.getUint16(r.offset, false) : 0;
        group = length === SHARE_LENGTHS.p256 ? 'p256' : 'x25519';
      }
      m = { type: 'client-finish', sessionId, share: share(r, group), confirm: r.take(CONFIRM_LENGTH, 'confirm') };
      break;
    }
    case MessageType.ServerFinish:
      m = { type: 'server-finish', sessionId: session(), confirm: r.take(CONFIRM_LENGTH, 'confirm') };
      break;
    case MessageType.Data:
      m = { type: 'data', sessionId: session(), record: r.rest() };
      if (m.record.byteLength === 0) bad('a DATA message without a record');
      break;
    case MessageType.Error: {
      const id = r.take(SESSION_ID_LENGTH, 'session id');
      const code = utf8(r.take(r.u8('code length'), 'code'), 'code');
      const message = utf8(r.take(r.u16('message length'), 'message'), 'message');
      if (!/^CC_ERROR_[A-Z0-9_]+$/.test(code)) bad('the error code is not a CC_ERROR_* name');
      m = { type: 'error', sessionId: id.every((b) => b === 0) ? null : toHex(id), code: code as ErrorCodeName, message };
      break;
    }
    default:
      return bad(`unknown message type ${type}`);
  }
  r.end();
  return m;
}
