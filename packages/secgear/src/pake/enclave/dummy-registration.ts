/**
 * Registrations for identities that have none: derived from a secret that exists only inside
 * this enclave instance, so a handshake for an unknown identity looks like one for a known
 * identity with a wrong password (it always fails confirmation) and the service does not tell
 * which identities exist. The derivation is stable per identity while the enclave runs.
 */
import { hkdfSync } from 'node:crypto';
import { bytesToBigInt, encodePoint, encodeScalar } from '../encoding.js';
import type { ScryptParams } from '../registration.js';
import { multiplyBase } from '../scalar-mul.js';
import type { Registration } from '../stored-record.js';
import type { Suite } from '../suites.js';

export function dummyRegistration(secret: Uint8Array, suite: Suite, idProver: Uint8Array, kdf: ScryptParams): Registration {
  const okm = new Uint8Array(hkdfSync('sha256', secret, idProver, new TextEncoder().encode('secgear pake dummy registration'), 2 * suite.wsLength + 32));
  const w0 = 1n + (bytesToBigInt(okm.subarray(0, suite.wsLength)) % (suite.order - 1n));
  const w1 = 1n + (bytesToBigInt(okm.subarray(suite.wsLength, 2 * suite.wsLength)) % (suite.order - 1n));
  const salt = okm.slice(2 * suite.wsLength);
  okm.fill(0);
  return { record: { suite: suite.name, w0: encodeScalar(suite, w0), L: encodePoint(multiplyBase(suite, w1)) }, salt, kdf };
}
