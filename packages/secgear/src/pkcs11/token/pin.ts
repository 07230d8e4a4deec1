/**
 * PIN verifiers: scrypt(PIN, salt) compared in constant time. The verifier is part of the
 * sealed token record, so the host holds neither PINs nor anything to test guesses against.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface PinVerifier {
  salt: string;
  hash: string;
}

const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const MIN_PIN = 4;
export const MAX_PIN = 64;
/** Wrong PINs in a row before the PIN is locked (CKR_PIN_LOCKED). */
export const MAX_PIN_FAILURES = 5;

export function makeVerifier(pin: Uint8Array): PinVerifier {
  const salt = randomBytes(16);
  return { salt: salt.toString('hex'), hash: scryptSync(pin, salt, 32, SCRYPT).toString('hex') };
}

export function checkPin(pin: Uint8Array, verifier: PinVerifier): boolean {
  const expected = Buffer.from(verifier.hash, 'hex');
  const actual = scryptSync(pin, Buffer.from(verifier.salt, 'hex'), 32, SCRYPT);
  return timingSafeEqual(actual, expected);
}
