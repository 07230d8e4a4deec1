/**
 * Wire encoding of the three SPAKE2+ messages (byte tables in docs/formats/pake-messages.md):
 *   1. prover → verifier: shareP
 *   2. verifier → prover: shareV || confirmV
 *   3. prover → verifier: confirmP
 * Every message starts with version, type and suite id; lengths are fixed by the suite, so a
 * message of any other length is refused before any field is read.
 */
import { concatBytes, copyBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { resolveSuite, SUITES, type Suite } from './suites.js';

export const MESSAGE_VERSION = 0x01;
export const HEADER_LENGTH = 3;

export const MessageType = {
  SHARE_P: 0x01,
  SHARE_V: 0x02,
  CONFIRM_P: 0x03,
} as const;

export type MessageTypeName = keyof typeof MessageType;

export interface ShareP {
  type: 'SHARE_P';
  suite: Suite;
  shareP: Uint8Array;
}

export interface ShareV {
  type: 'SHARE_V';
  suite: Suite;
  shareV: Uint8Array;
  confirmV: Uint8Array;
}

export interface ConfirmP {
  type: 'CONFIRM_P';
  suite: Suite;
  confirmP: Uint8Array;
}

export type PakeMessage = ShareP | ShareV | ConfirmP;

/** Exact length of a message of `type` for `suite`. */
export function messageLength(suite: Suite, type: MessageTypeName): number {
  switch (type) {
    case 'SHARE_P':
      return HEADER_LENGTH + suite.pointLength;
    case 'SHARE_V':
      return HEADER_LENGTH + suite.pointLength + suite.hashLength;
    case 'CONFIRM_P':
      return HEADER_LENGTH + suite.hashLength;
  }
}

export function encodeMessage(message: PakeMessage): Uint8Array {
  const suite = resolveSuite(message.suite);
  const fields =
    message.type === 'SHARE_P'
      ? [fixed(message.shareP, suite.pointLength, 'shareP')]
      : message.type === 'SHARE_V'
        ? [fixed(message.shareV, suite.pointLength, 'shareV'), fixed(message.confirmV, suite.hashLength, 'confirmV')]
        : [fixed(message.confirmP, suite.hashLength, 'confirmP')];
  return concatBytes(new Uint8Array([MESSAGE_VERSION, MessageType[message.type], suite.id]), ...fields);
}

/**
 * Parses any of the three messages. Structure only: points are validated by the state machine
 * that uses them (they are checked against the curve there, with CC_ERROR_INVALID_POINT).
 * Throws CC_ERROR_INVALID_MESSAGE for anything malformed; when `expect` is given, a message of
 * another type is refused with CC_ERROR_PROTOCOL_STATE.
 */
export function decodeMessage(bytes: Uint8Array, expect?: MessageTypeName): PakeMessage {
  if (!(bytes instanceof Uint8Array)) {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `a SPAKE2+ message must be a Uint8Array, got ${typeof bytes}`);
  }
  if (bytes.byteLength < HEADER_LENGTH) {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `SPAKE2+ message too short (${bytes.byteLength} bytes)`);
  }
  if (bytes[0] !== MESSAGE_VERSION) {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `unsupported SPAKE2+ message version ${bytes[0]}; this side speaks version ${MESSAGE_VERSION}`);
  }
  const type = (Object.keys(MessageType) as MessageTypeName[]).find((k) => MessageType[k] === bytes[1]);
  if (!type) throw new SecGearError(ErrorCode.INVALID_MESSAGE, `unknown SPAKE2+ message type 0x${hex2(bytes[1])}`);
  const suite = SUITES.find((s) => s.id === bytes[2]);
  if (!suite) throw new SecGearError(ErrorCode.INVALID_MESSAGE, `unknown SPAKE2+ ciphersuite id 0x${hex2(bytes[2])}`);
  if (expect !== undefined && type !== expect) {
    throw new SecGearError(ErrorCode.PROTOCOL_STATE, `expected a ${expect} message, got ${type}; messages out of order are refused`);
  }
  const length = messageLength(suite, type);
  if (bytes.byteLength !== length) {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `${type} message for ${suite.name} must be ${length} bytes, got ${bytes.byteLength}`);
  }
  const body = copyBytes(bytes.subarray(HEADER_LENGTH));
  switch (type) {
    case 'SHARE_P':
      return { type, suite, shareP: body };
    case 'SHARE_V':
      return { type, suite, shareV: body.subarray(0, suite.pointLength), confirmV: body.subarray(suite.pointLength) };
    case 'CONFIRM_P':
      return { type, suite, confirmP: body };
  }
}

/**
 * Decodes the message a party expects next: of `type` (else CC_ERROR_PROTOCOL_STATE) and for the
 * handshake's `suite` (else CC_ERROR_INVALID_MESSAGE).
 */
export function decodeExpected<T extends MessageTypeName>(bytes: Uint8Array, type: T, suite: Suite): Extract<PakeMessage, { type: T }> {
  const message = decodeMessage(bytes, type);
  if (message.suite !== suite) {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `${type} message for ${message.suite.name}, this handshake runs ${suite.name}`);
  }
  return message as Extract<PakeMessage, { type: T }>;
}

function fixed(field: Uint8Array, length: number, what: string): Uint8Array {
  if (!(field instanceof Uint8Array) || field.byteLength !== length) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${what} must be ${length} bytes`);
  }
  return field;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
