/**
 * Evidence bound to one TLS session (freshness beyond the certificate): the exporter
 * (RFC 8446 §7.5, `exportKeyingMaterial`) gives both ends the same 32 bytes that no other
 * session has, and the enclave's evidence carries their hash as report data. Frames
 * (docs/formats/ra-tls-session-evidence.md):
 *
 *   request:  "\0SGEVQ01"
 *   response: "\0SGEVR01" ‖ media type length (1) ‖ media type ‖ evidence length (4, BE) ‖ evidence
 */
import { createHash } from 'node:crypto';
import { concatBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';

export const EXPORTER_LABEL = 'EXPORTER-secgear-ra-tls-session-evidence';
export const EXPORTER_LENGTH = 32;
export const SESSION_EVIDENCE_REQUEST = new TextEncoder().encode('\0SGEVQ01');
export const SESSION_EVIDENCE_RESPONSE = new TextEncoder().encode('\0SGEVR01');
export const MAX_SESSION_EVIDENCE = 64 * 1024;
const DOMAIN = new TextEncoder().encode('secgear ra-tls session evidence v1\0');

/** The report data evidence for this session carries: SHA-512(domain ‖ exporter output). */
export function sessionReportData(exporter: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha512').update(DOMAIN).update(exporter).digest());
}

/** The exporter output of a TLS socket (node:tls, or the enclave's facade). */
export function sessionExporter(socket: { exportKeyingMaterial(length: number, label: string, context?: Buffer): Uint8Array }): Uint8Array {
  return new Uint8Array(socket.exportKeyingMaterial(EXPORTER_LENGTH, EXPORTER_LABEL));
}

export function encodeSessionEvidence(mediaType: string, evidence: Uint8Array): Uint8Array {
  const type = new TextEncoder().encode(mediaType);
  if (type.byteLength > 255 || evidence.byteLength > MAX_SESSION_EVIDENCE) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'session evidence too large');
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, evidence.byteLength);
  return concatBytes(SESSION_EVIDENCE_RESPONSE, Uint8Array.of(type.byteLength), type, length, evidence);
}

/**
 * Reads a response frame from the start of `bytes`. Returns null while more bytes are needed,
 * else the evidence and how many bytes it took. Throws CC_ERROR_INVALID_MESSAGE.
 */
export function decodeSessionEvidence(bytes: Uint8Array): { mediaType: string; evidence: Uint8Array; length: number } | null {
  const magic = SESSION_EVIDENCE_RESPONSE;
  for (let i = 0; i < Math.min(magic.byteLength, bytes.byteLength); i++) {
    if (bytes[i] !== magic[i]) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'the peer did not answer the session evidence request (is sessionEvidence enabled on the server?)');
  }
  if (bytes.byteLength < magic.byteLength + 1) return null;
  const typeLength = bytes[magic.byteLength];
  const lengthAt = magic.byteLength + 1 + typeLength;
  if (bytes.byteLength < lengthAt + 4) return null;
  const evidenceLength = new DataView(bytes.buffer, bytes.byteOffset + lengthAt, 4).getUint32(0);
  if (evidenceLength === 0 || evidenceLength > MAX_SESSION_EVIDENCE) throw new SecGearError(ErrorCode.INVALID_MESSAGE, `session evidence of ${evidenceLength} bytes is outside 1..${MAX_SESSION_EVIDENCE}`);
  const end = lengthAt + 4 + evidenceLength;
  if (bytes.byteLength < end) return null;
  let mediaType: string;
  try {
    mediaType = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(magic.byteLength + 1, lengthAt));
  } catch {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'the session evidence media type is not UTF-8');
  }
  return { mediaType, evidence: bytes.slice(lengthAt + 4, end), length: end };
}
