/**
 * Simulated remote-attestation evidence: the enclave's identity, report data and nonce, signed
 * by this machine's simulated attestation key (ECDSA P-384), with the key's certificate inside.
 * Byte layout: docs/formats/sim-evidence.md. The sim verifier (src/attest/verifiers/sim) parses
 * it with `parseSimEvidence`.
 */
import { type KeyObject, sign } from 'node:crypto';
import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { EnclaveIdentity } from '../../common/platform.js';
import { MAX_NONCE_SIZE, REPORT_DATA_SIZE } from '../../common/platform-ops.js';
import { readIdentityBlock, writeIdentityBlock } from './identity-block.js';

export const SIM_EVIDENCE_MEDIA_TYPE = 'application/vnd.secgear.sim-evidence';
export const SIM_EVIDENCE_MAGIC = 0x53474556; // "SGEV"
export const SIM_EVIDENCE_VERSION = 1;
/** The only `tee` code defined: 1 = sim (the sim and process backends). */
export const SIM_TEE_CODE = 1;
export const SIM_SIGNATURE_SIZE = 96;
const FIXED_SIZE = 186;
const MIN_SIZE = FIXED_SIZE + 2 + SIM_SIGNATURE_SIZE;

export interface SimEvidenceBody {
  identity: EnclaveIdentity;
  reportData: Uint8Array;
  nonce: Uint8Array;
  /** When the platform signed, milliseconds since the Unix epoch. */
  issuedAt: number;
  attestationCertificate: Uint8Array;
}

export interface ParsedSimEvidence extends SimEvidenceBody {
  version: number;
  /** The bytes the signature covers (everything before it). */
  signed: Uint8Array;
  /** ECDSA P-384 over SHA-384, r || s, 48 bytes each. */
  signature: Uint8Array;
}

function invalid(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `sim evidence: ${message}`);
}

/** Encodes and signs. The platform calls this with the identity it verified, never one the enclave claims. */
export function createSimEvidence(body: SimEvidenceBody, attestationKey: KeyObject): Uint8Array {
  const { identity, reportData, nonce, attestationCertificate } = body;
  if (reportData.byteLength !== REPORT_DATA_SIZE) invalid(`report data must be ${REPORT_DATA_SIZE} bytes`);
  if (nonce.byteLength > MAX_NONCE_SIZE) invalid(`the nonce may be at most ${MAX_NONCE_SIZE} bytes`);
  const certOffset = FIXED_SIZE + nonce.byteLength + 2;
  const signedSize = certOffset + attestationCertificate.byteLength;
  const out = new Uint8Array(signedSize + SIM_SIGNATURE_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, SIM_EVIDENCE_MAGIC);
  out[4] = SIM_EVIDENCE_VERSION;
  out[5] = SIM_TEE_CODE;
  out[6] = identity.debug ? 1 : 0;
  writeIdentityBlock(out, identity, reportData);
  view.setBigUint64(176, BigInt(body.issuedAt));
  view.setUint16(184, nonce.byteLength);
  out.set(nonce, FIXED_SIZE);
  view.setUint16(certOffset - 2, attestationCertificate.byteLength);
  out.set(attestationCertificate, certOffset);
  const signature = sign('sha384', out.subarray(0, signedSize), { key: attestationKey, dsaEncoding: 'ieee-p1363' });
  out.set(signature, signedSize);
  return out;
}

/** True when the bytes start like sim evidence (cheap; used for format detection). */
export function looksLikeSimEvidence(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 5 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) === SIM_EVIDENCE_MAGIC;
}

/** Parses the layout; throws CC_ERROR_INVALID_EVIDENCE on any malformed field. Checks no signature. */
export function parseSimEvidence(bytes: unknown): ParsedSimEvidence {
  if (!isBytes(bytes)) invalid('expected a Uint8Array');
  if (bytes.byteLength < MIN_SIZE) invalid(`too short (${bytes.byteLength} bytes, at least ${MIN_SIZE})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== SIM_EVIDENCE_MAGIC) invalid('bad magic (expected "SGEV")');
  if (bytes[4] !== SIM_EVIDENCE_VERSION) invalid(`unsupported version ${bytes[4]} (this verifier reads version ${SIM_EVIDENCE_VERSION})`);
  if (bytes[5] !== SIM_TEE_CODE) invalid(`unknown tee code ${bytes[5]}`);
  if (bytes[6] > 1 || bytes[7] !== 0) invalid('reserved bits are set in the flags');
  const issuedAt = view.getBigUint64(176);
  if (issuedAt > BigInt(Number.MAX_SAFE_INTEGER)) invalid('issue time out of range');
  const nonceSize = view.getUint16(184);
  if (nonceSize > MAX_NONCE_SIZE) invalid(`nonce length ${nonceSize} exceeds ${MAX_NONCE_SIZE}`);
  const certOffset = FIXED_SIZE + nonceSize + 2;
  if (certOffset > bytes.byteLength) invalid('truncated in the nonce');
  const certSize = view.getUint16(certOffset - 2);
  if (certSize === 0) invalid('no attestation key certificate');
  const signedSize = certOffset + certSize;
  if (signedSize + SIM_SIGNATURE_SIZE !== bytes.byteLength) {
    invalid(`length mismatch: the fields describe ${signedSize + SIM_SIGNATURE_SIZE} bytes, got ${bytes.byteLength}`);
  }
  return {
    version: bytes[4],
    ...readIdentityBlock(bytes, bytes[6] === 1),
    issuedAt: Number(issuedAt),
    nonce: bytes.slice(FIXED_SIZE, FIXED_SIZE + nonceSize),
    attestationCertificate: bytes.slice(certOffset, signedSize),
    signed: bytes.subarray(0, signedSize),
    signature: bytes.slice(signedSize),
  };
}
