/**
 * Offline registration (RFC 9383 §3.2): the prover's secrets w0, w1 from a password through a
 * memory-hard PBKDF, and the verifier's record (w0, L = w1*P).
 */
import { randomBytes, scrypt } from 'node:crypto';
import { copyBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { bytesToBigInt, decodeScalar, encodePoint, encodeScalar, lengthPrefixed, passwordBytes, toBytes, type BytesLike } from './encoding.js';
import { multiplyBase } from './scalar-mul.js';
import { resolveSuite, type Suite, type SuiteName } from './suites.js';

/**
 * scrypt hardness parameters (RFC 7914). Defaults are the RFC 9383 recommendation
 * (N = 32768, r = 8, p = 1): about 32 MiB of memory and ~0.1 s per derivation on a current core.
 * Raise N for passwords people choose; lowering it only makes sense for high-entropy pairing codes.
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two > 1. Default 32768. */
  N: number;
  /** Block size. Default 8. */
  r: number;
  /** Parallelism. Default 1. */
  p: number;
}

export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 32768, r: 8, p: 1 });

/** Limits that keep a hostile or mistaken parameter set from exhausting the machine. */
const MAX_N = 1 << 22;
const MAX_MEMORY = 1024 * 1024 * 1024;
export const MIN_SALT_LENGTH = 16;

export interface DeriveOptions {
  /** Identity of the prover (device); included in the PBKDF input and later in the transcript. */
  idProver?: BytesLike;
  /** Identity of the verifier (service). */
  idVerifier?: BytesLike;
  /** Random per-registration salt, at least 16 bytes; see {@link randomSalt}. */
  salt: Uint8Array;
  /** scrypt parameters; {@link DEFAULT_SCRYPT} when omitted. */
  kdf?: Partial<ScryptParams>;
  /** Ciphersuite; P-256 when omitted. */
  suite?: Suite | SuiteName;
}

/** The prover's long-term secrets, scalars encoded big-endian in the suite's scalar length. */
export interface ProverSecrets {
  suite: SuiteName;
  w0: Uint8Array;
  w1: Uint8Array;
}

/** What the verifier stores per prover: w0 and L = w1*P (uncompressed point). */
export interface VerifierRecord {
  suite: SuiteName;
  w0: Uint8Array;
  L: Uint8Array;
}

/** A fresh random salt for {@link deriveProverSecrets}. */
export function randomSalt(length = 32): Uint8Array {
  if (!Number.isInteger(length) || length < MIN_SALT_LENGTH || length > 1024) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `salt length must be an integer in [${MIN_SALT_LENGTH}, 1024]`);
  }
  return new Uint8Array(randomBytes(length));
}

/** Validates and completes scrypt parameters; exported for the service layer that stores them. */
export function resolveScryptParams(kdf: Partial<ScryptParams> | undefined): ScryptParams {
  const params = { ...DEFAULT_SCRYPT, ...(kdf ?? {}) };
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `scrypt N must be a power of two in [2, ${MAX_N}], got ${N}`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 64 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `scrypt r must be in [1, 64] and p in [1, 16], got r=${r} p=${p}`);
  }
  if (scryptMemory(params) > MAX_MEMORY) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `scrypt parameters need more than 1 GiB of memory (N=${N}, r=${r}, p=${p})`);
  }
  return { N, r, p };
}

function scryptMemory({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + p + 2);
}

/**
 * w0s || w1s = scrypt(len(pw) || pw || len(idProver) || idProver || len(idVerifier) || idVerifier, salt),
 * w0 = w0s mod p, w1 = w1s mod p. Absent identities enter as empty strings with length 0 (RFC 9383 §3.2).
 * Runs scrypt on the libuv thread pool, so it does not block the event loop.
 */
export async function deriveProverSecrets(password: BytesLike, options: DeriveOptions): Promise<ProverSecrets> {
  if (options === null || typeof options !== 'object') {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'deriveProverSecrets needs an options object with at least { salt }');
  }
  const suite = resolveSuite(options.suite);
  const params = resolveScryptParams(options.kdf);
  const salt = options.salt;
  if (!(salt instanceof Uint8Array) || salt.byteLength < MIN_SALT_LENGTH) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `salt must be a Uint8Array of at least ${MIN_SALT_LENGTH} random bytes (use randomSalt())`);
  }
  const pw = passwordBytes(password);
  if (pw.byteLength === 0) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'password must not be empty');
  const input = lengthPrefixed(pw, toBytes(options.idProver, 'idProver'), toBytes(options.idVerifier, 'idVerifier'));
  const output = await new Promise<Uint8Array>((resolve, reject) => {
    scrypt(input, salt, 2 * suite.wsLength, { ...params, maxmem: scryptMemory(params) + 1024 * 1024 }, (err, key) => {
      if (err) reject(new SecGearError(ErrorCode.GENERIC, `scrypt failed: ${err.message}`, { cause: err }));
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
    });
  });
  zeroize(input);
  try {
    const w0 = bytesToBigInt(output.subarray(0, suite.wsLength)) % suite.order;
    const w1 = bytesToBigInt(output.subarray(suite.wsLength)) % suite.order;
    if (w0 === 0n || w1 === 0n) {
      // Probability 2^-250; a zero scalar would remove the password from the protocol.
      throw new SecGearError(ErrorCode.GENERIC, 'derived a zero scalar; register again with a fresh salt');
    }
    return { suite: suite.name, w0: encodeScalar(suite, w0), w1: encodeScalar(suite, w1) };
  } finally {
    zeroize(output);
  }
}

/** The verifier's record (w0, L = w1*P). Only w0 and L leave the prover; w1 stays secret. */
export function computeVerifierRecord(w0: Uint8Array, w1: Uint8Array, options: { suite?: Suite | SuiteName } = {}): VerifierRecord {
  const suite = resolveSuite(options.suite);
  decodeScalar(suite, w0, 'w0');
  const w1n = decodeScalar(suite, w1, 'w1');
  return { suite: suite.name, w0: copyBytes(w0), L: encodePoint(multiplyBase(suite, w1n)) };
}
