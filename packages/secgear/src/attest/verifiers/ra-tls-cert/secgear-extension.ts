import { ErrorCode, SecGearError } from '../../../common/errors.js';

/**
 * secGear's RA-TLS extension (OID 1.3.6.1.4.1.2011.2.8, component/ra_tls of openEuler
 * secGear): the extnValue holds raw JSON text `{"challenge":"<base64url>","quote":"<string>"}`.
 * The challenge decodes to at least 64 bytes whose bytes 32..64 are SHA-256 of the
 * certificate's SubjectPublicKeyInfo; `quote` is the evidence. secGear's own peers put their
 * attestation agent's JSON evidence there; secGear-ts writes the evidence bytes base64url-encoded.
 * Byte layout and what each side can read: docs/formats/ra-tls-certificate.md.
 */
export const SECGEAR_EVIDENCE_OID = '1.3.6.1.4.1.2011.2.8';
export const SECGEAR_CHALLENGE_LENGTH = 64;
/** Where secGear's challenge holds the public-key hash (ra_tls.h HASH_OFFSET / HASH_LEN). */
export const SECGEAR_KEY_HASH_OFFSET = 32;
export const SECGEAR_KEY_HASH_LENGTH = 32;
const MAX_EXTENSION = 1 << 20;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export interface SecGearExtension {
  challenge: Uint8Array;
  /** The quote text as written. */
  quote: string;
  /** The quote as evidence bytes when it is base64url (what secGear-ts writes); null for other text. */
  evidence: Uint8Array | null;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `secGear RA-TLS extension: ${message}`);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** The extension value for `challenge` (64 bytes) and evidence bytes. */
export function encodeSecGearExtension(challenge: Uint8Array, evidence: Uint8Array): Uint8Array {
  if (challenge.byteLength !== SECGEAR_CHALLENGE_LENGTH) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `the challenge must be ${SECGEAR_CHALLENGE_LENGTH} bytes`);
  return new TextEncoder().encode(JSON.stringify({ challenge: base64url(challenge), quote: base64url(evidence) }));
}

/** Parses the extension value. Throws `CC_ERROR_INVALID_EVIDENCE`. */
export function parseSecGearExtension(value: Uint8Array): SecGearExtension {
  if (value.byteLength > MAX_EXTENSION) bad(`${value.byteLength} bytes is larger than any evidence`);
  // secGear's writer counts no terminating NUL, but tolerate one
  const end = value.byteLength > 0 && value[value.byteLength - 1] === 0 ? value.byteLength - 1 : value.byteLength;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value.subarray(0, end)));
  } catch {
    bad('the value is not JSON text');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('the value is not a JSON object');
  const { challenge, quote } = json as Record<string, unknown>;
  if (typeof challenge !== 'string' || !BASE64URL.test(challenge)) bad('"challenge" is not a base64url string');
  if (typeof quote !== 'string' || quote.length === 0) bad('"quote" is not a non-empty string');
  const challengeBytes = new Uint8Array(Buffer.from(challenge, 'base64url'));
  if (challengeBytes.byteLength < SECGEAR_KEY_HASH_OFFSET + SECGEAR_KEY_HASH_LENGTH) {
    bad(`the challenge is ${challengeBytes.byteLength} bytes; it must hold the key hash at bytes ${SECGEAR_KEY_HASH_OFFSET}..${SECGEAR_KEY_HASH_OFFSET + SECGEAR_KEY_HASH_LENGTH}`);
  }
  const evidence = BASE64URL.test(quote) ? new Uint8Array(Buffer.from(quote, 'base64url')) : null;
  return { challenge: challengeBytes, quote, evidence: evidence && evidence.byteLength > 0 ? evidence : null };
}

/** The SHA-256 of the public key that a secGear challenge names. */
export function challengeKeyHash(challenge: Uint8Array): Uint8Array {
  return challenge.subarray(SECGEAR_KEY_HASH_OFFSET, SECGEAR_KEY_HASH_OFFSET + SECGEAR_KEY_HASH_LENGTH);
}
