import type { KeyObject } from 'node:crypto';
import { concatBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { COSE_ALGORITHMS, signData, verifySignature, type CoseAlgorithm } from './algorithms.js';
import { CborTag, decodeCbor, type CborMap, type CborValue } from './cbor.js';
import { encodeCbor, encodeCborHeader } from './cbor-encode.js';

/**
 * COSE_Sign1 (RFC 9052 §4.2): `[protected: bstr, unprotected: map, payload: bstr / nil,
 * signature: bstr]`, optionally wrapped in tag 18. The protected header is kept as the exact
 * bytes received, because the signature covers those bytes and not a re-encoding.
 */
export const COSE_SIGN1_TAG = 18;

export interface CoseSign1 {
  tagged: boolean;
  /** The serialized protected header, exactly as received (empty when absent). */
  protectedBytes: Uint8Array;
  protectedHeader: CborMap;
  unprotectedHeader: CborMap;
  /** null for a detached payload. */
  payload: Uint8Array | null;
  signature: Uint8Array;
  /** The `alg` header parameter (label 1), from the protected header. */
  alg: number | null;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `COSE_Sign1: ${message}`);
}

/** Parses COSE_Sign1 bytes or an already decoded CBOR value. Throws CC_ERROR_INVALID_EVIDENCE. */
export function parseCoseSign1(input: Uint8Array | CborValue): CoseSign1 {
  let value: CborValue = input instanceof Uint8Array ? decodeCbor(input) : input;
  let tagged = false;
  if (value instanceof CborTag) {
    if (value.tag !== COSE_SIGN1_TAG) bad(`expected tag 18, found tag ${value.tag}`);
    tagged = true;
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) bad('not an array of four items');
  const [protectedBytes, unprotectedHeader, payload, signature] = value;
  if (!(protectedBytes instanceof Uint8Array)) bad('protected header is not a byte string');
  if (!(unprotectedHeader instanceof Map)) bad('unprotected header is not a map');
  if (!(payload instanceof Uint8Array) && payload !== null) bad('payload is neither a byte string nor nil');
  if (!(signature instanceof Uint8Array)) bad('signature is not a byte string');
  let protectedHeader: CborMap = new Map();
  if (protectedBytes.byteLength > 0) {
    const decoded = decodeCbor(protectedBytes);
    if (!(decoded instanceof Map)) bad('protected header does not hold a map');
    protectedHeader = decoded;
  }
  for (const key of protectedHeader.keys()) {
    if (unprotectedHeader.has(key)) bad(`header parameter ${String(key)} appears in both buckets`);
  }
  const alg = protectedHeader.get(1);
  if (alg !== undefined && typeof alg !== 'number') bad('alg is not an integer');
  return { tagged, protectedBytes, protectedHeader, unprotectedHeader, payload, signature, alg: alg ?? null };
}

function bstr(bytes: Uint8Array): Uint8Array[] {
  return [encodeCborHeader(2, bytes.byteLength), bytes];
}

const SIGNATURE1 = encodeCbor('Signature1');

/** `Sig_structure` for COSE_Sign1: ["Signature1", protected, external_aad, payload]. */
export function coseSign1ToBeSigned(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concatBytes(new Uint8Array([0x84]), SIGNATURE1, ...bstr(protectedBytes), ...bstr(externalAad), ...bstr(payload));
}

export interface CoseVerifyOptions {
  /** Algorithms the caller accepts (by COSE id); any supported one when omitted. */
  allowedAlgs?: number[];
  externalAad?: Uint8Array;
  /** For a detached payload. */
  detachedPayload?: Uint8Array;
}

/** Checks the signature of a parsed COSE_Sign1 with `key`; returns null when valid, else why not. */
export function verifyCoseSign1(message: CoseSign1, key: KeyObject, options: CoseVerifyOptions = {}): string | null {
  if (message.alg === null) return 'the protected header names no algorithm';
  const alg = COSE_ALGORITHMS.get(message.alg);
  if (!alg) return `unsupported COSE algorithm ${message.alg}`;
  if (options.allowedAlgs && !options.allowedAlgs.includes(alg.id)) return `algorithm ${alg.name} is not allowed here`;
  const payload = message.payload ?? options.detachedPayload;
  if (!payload) return 'the payload is detached and none was supplied';
  const toBeSigned = coseSign1ToBeSigned(message.protectedBytes, payload, options.externalAad);
  return verifySignature(alg, key, toBeSigned, message.signature);
}

export function coseAlgorithmName(id: number | null): string {
  return id === null ? 'none' : (COSE_ALGORITHMS.get(id)?.name ?? String(id));
}

export interface CoseSignOptions {
  tagged?: boolean;
  /** Extra protected header parameters besides alg. */
  protectedHeader?: CborMap;
  unprotectedHeader?: CborMap;
}

/** Builds a COSE_Sign1 (used for simulated evidence and for tests). */
export function signCoseSign1(payload: Uint8Array, privateKey: KeyObject, algId: number, options: CoseSignOptions = {}): Uint8Array {
  const alg: CoseAlgorithm | undefined = COSE_ALGORITHMS.get(algId);
  if (!alg) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `unsupported COSE algorithm ${algId}`);
  const protectedHeader: CborMap = new Map([[1, algId], ...(options.protectedHeader ?? new Map())]);
  const protectedBytes = encodeCbor(protectedHeader);
  const signature = signData(alg, privateKey, coseSign1ToBeSigned(protectedBytes, payload));
  const body: CborValue = [protectedBytes, options.unprotectedHeader ?? new Map(), payload, signature];
  return encodeCbor(options.tagged ? new CborTag(COSE_SIGN1_TAG, body) : body);
}
