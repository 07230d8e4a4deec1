/**
 * The registration a verifier keeps per prover: the RFC 9383 record (w0, L) plus the salt and
 * scrypt parameters the prover needs to re-derive w0 and w1 from its password. Byte table:
 * docs/formats/pake-verifier-record.md. In the enclave flow this is what gets sealed.
 */
import { concatBytes, copyBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { decodePoint, decodeScalar } from './encoding.js';
import type { BytesLike } from './encoding.js';
import {
  MIN_SALT_LENGTH,
  computeVerifierRecord,
  deriveProverSecrets,
  randomSalt,
  resolveScryptParams,
  type ScryptParams,
  type VerifierRecord,
} from './registration.js';
import { resolveSuite, SUITES, type Suite, type SuiteName } from './suites.js';

export const STORED_RECORD_VERSION = 0x01;

export interface Registration {
  record: VerifierRecord;
  salt: Uint8Array;
  kdf: ScryptParams;
}

/**
 * Registration in one step, where the password is at hand (device provisioning, a set-up tool):
 * a fresh salt, w0 and w1 from scrypt, and the record (w0, L). w1 is discarded; the result is
 * what the verifier stores. It must reach the verifier confidentially (it allows an offline
 * dictionary attack on the password).
 */
export async function createRegistration(
  password: BytesLike,
  options: { idProver: BytesLike; idVerifier: BytesLike; kdf?: Partial<ScryptParams>; suite?: Suite | SuiteName; salt?: Uint8Array },
): Promise<Registration> {
  const salt = options.salt ?? randomSalt();
  const kdf = resolveScryptParams(options.kdf);
  const secrets = await deriveProverSecrets(password, { ...options, salt, kdf });
  const record = computeVerifierRecord(secrets.w0, secrets.w1, { suite: secrets.suite });
  secrets.w0.fill(0);
  secrets.w1.fill(0);
  return { record, salt, kdf };
}

/** Checks a registration completely (scalars, point, salt, parameters) and returns a normalized copy. */
export function checkRegistration(value: Registration): Registration {
  if (!value || typeof value !== 'object' || !value.record || typeof value.record !== 'object') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'a registration is { record: { suite, w0, L }, salt, kdf }');
  }
  const suite = resolveSuite(value.record.suite);
  decodeScalar(suite, value.record.w0, 'record.w0');
  try {
    decodePoint(suite, value.record.L, 'record.L');
  } catch (cause) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'record.L is not a valid point', { cause });
  }
  if (!(value.salt instanceof Uint8Array) || value.salt.byteLength < MIN_SALT_LENGTH || value.salt.byteLength > 255) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `salt must be ${MIN_SALT_LENGTH} to 255 bytes`);
  }
  return {
    record: { suite: suite.name, w0: copyBytes(value.record.w0), L: copyBytes(value.record.L) },
    salt: copyBytes(value.salt),
    kdf: resolveScryptParams(value.kdf),
  };
}

export function encodeRegistration(value: Registration): Uint8Array {
  const r = checkRegistration(value);
  const suite = resolveSuite(r.record.suite);
  const kdf = new Uint8Array(6);
  new DataView(kdf.buffer).setUint32(0, r.kdf.N);
  kdf[4] = r.kdf.r;
  kdf[5] = r.kdf.p;
  return concatBytes(new Uint8Array([STORED_RECORD_VERSION, suite.id]), r.record.w0, r.record.L, new Uint8Array([r.salt.byteLength]), r.salt, kdf);
}

export function decodeRegistration(bytes: Uint8Array): Registration {
  const bad = (why: string) => new SecGearError(ErrorCode.INVALID_MESSAGE, `stored PAKE registration is malformed: ${why}`);
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 2) throw bad('too short');
  if (bytes[0] !== STORED_RECORD_VERSION) throw bad(`unknown version ${bytes[0]}`);
  const suite = SUITES.find((s) => s.id === bytes[1]);
  if (!suite) throw bad(`unknown suite id ${bytes[1]}`);
  let at = 2;
  const w0 = copyBytes(bytes.subarray(at, (at += suite.scalarLength)));
  const L = copyBytes(bytes.subarray(at, (at += suite.pointLength)));
  if (at >= bytes.byteLength) throw bad('truncated');
  const saltLength = bytes[at++];
  const salt = copyBytes(bytes.subarray(at, (at += saltLength)));
  if (at + 6 !== bytes.byteLength) throw bad('wrong length');
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 6);
  const kdf = { N: view.getUint32(0), r: view.getUint8(4), p: view.getUint8(5) };
  try {
    return checkRegistration({ record: { suite: suite.name, w0, L }, salt, kdf });
  } catch (cause) {
    throw new SecGearError(ErrorCode.INVALID_MESSAGE, `stored PAKE registration is malformed: ${(cause as Error).message}`, { cause });
  }
}
