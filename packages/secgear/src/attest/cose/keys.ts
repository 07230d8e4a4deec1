import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { asBuffer } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { CborMap } from './cbor.js';

/**
 * Public keys as TEE evidence carries them: raw uncompressed EC points (CCA RAK), COSE_Key
 * maps (newer CCA RAKs), SubjectPublicKeyInfo DER (virtCCA, Nitro) and JWK (CPAK files).
 */

const CURVE_BY_POINT_LENGTH: Record<number, string> = { 65: 'P-256', 97: 'P-384', 133: 'P-521' };
const COSE_CURVES: Record<number, string> = { 1: 'P-256', 2: 'P-384', 3: 'P-521' };

function bad(message: string, cause?: unknown): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, message, { cause });
}

function b64url(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64url');
}

/** A JWK to a key object; the point is checked to lie on the curve. */
export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    return bad(`not a usable public key (JWK): ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** An uncompressed SEC1 point (0x04 ‖ x ‖ y) on P-256, P-384 or P-521 (by its length). */
export function publicKeyFromEcPoint(point: Uint8Array): KeyObject {
  const crv = CURVE_BY_POINT_LENGTH[point.byteLength];
  if (!crv || point[0] !== 0x04) bad(`not an uncompressed P-256/P-384/P-521 point (${point.byteLength} bytes, first byte ${point[0] ?? 'none'})`);
  const size = (point.byteLength - 1) / 2;
  return publicKeyFromJwk({ kty: 'EC', crv, x: b64url(point.subarray(1, 1 + size)), y: b64url(point.subarray(1 + size)) });
}

/** A DER SubjectPublicKeyInfo. */
export function publicKeyFromSpki(der: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: asBuffer(der), format: 'der', type: 'spki' });
  } catch (error) {
    return bad(`not a DER SubjectPublicKeyInfo: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** A COSE_Key map (RFC 9053 §7): EC2 (kty 2) or RSA (kty 3). */
export function publicKeyFromCoseKey(map: CborMap): KeyObject {
  const kty = map.get(1);
  if (kty === 2) {
    const crv = COSE_CURVES[map.get(-1) as number];
    const x = map.get(-2);
    const y = map.get(-3);
    if (!crv || !(x instanceof Uint8Array) || !(y instanceof Uint8Array)) bad('COSE_Key EC2 needs crv (1..3), x and y byte strings');
    return publicKeyFromJwk({ kty: 'EC', crv, x: b64url(x), y: b64url(y) });
  }
  if (kty === 3) {
    const n = map.get(-1);
    const e = map.get(-2);
    if (!(n instanceof Uint8Array) || !(e instanceof Uint8Array)) bad('COSE_Key RSA needs n and e byte strings');
    return publicKeyFromJwk({ kty: 'RSA', n: b64url(n), e: b64url(e) });
  }
  return bad(`unsupported COSE_Key type ${String(kty)}`);
}

const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/;

/**
 * Text that is exactly one PEM "PUBLIC KEY" block or one JSON JWK, to a key object; null when
 * the text is neither. The whole text must be the key: OpenSSL's PEM reader would otherwise
 * find a key block anywhere inside other bytes (a DER certificate holding PEM text). JWKs with
 * a private part are refused: a private key file is never taken as an anchor.
 */
export function publicKeyFromText(text: string): KeyObject | null {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JsonWebKey;
      if (typeof jwk.kty !== 'string' || 'd' in jwk) return null;
      return createPublicKey({ key: jwk, format: 'jwk' });
    }
    if (PEM_PUBLIC_KEY.test(trimmed)) return createPublicKey(trimmed);
  } catch {
    return null;
  }
  return null;
}
