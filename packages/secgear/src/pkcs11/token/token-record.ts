/**
 * The token's own sealed record: label, serial, whether it was initialized, the PIN
 * verifiers and the failed-attempt counters (sealed before a wrong PIN is answered, so
 * restarting the enclave does not reset them).
 */
import { randomBytes } from 'node:crypto';
import type { PinVerifier } from './pin.js';

export interface TokenRecord {
  version: 1;
  serial: string;
  label: string;
  initialized: boolean;
  /** PINs arrive from the host (the p11-kit socket): a local-only token. */
  localOnly: boolean;
  so?: PinVerifier;
  user?: PinVerifier;
  soFailures: number;
  userFailures: number;
}

export function newTokenRecord(localOnly: boolean): TokenRecord {
  return { version: 1, serial: randomBytes(8).toString('hex'), label: '', initialized: false, localOnly, soFailures: 0, userFailures: 0 };
}

export function encodeTokenRecord(record: TokenRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}

export function decodeTokenRecord(bytes: Uint8Array): TokenRecord {
  const r = JSON.parse(new TextDecoder().decode(bytes)) as TokenRecord;
  if (r.version !== 1 || typeof r.serial !== 'string' || typeof r.label !== 'string') throw new Error('unknown token record');
  return r;
}
