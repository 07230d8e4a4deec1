/**
 * The 64 bytes a real-TEE platform puts in the report data slot (SGX/TDX REPORTDATA, SEV-SNP
 * REPORT_DATA, CCA challenge) for an evidence request: secGear's one evidence binding,
 * SHA-512(u32 len ‖ "secgear evidence binding v1" ‖ u32 len ‖ nonce ‖ u32 len ‖ data), so
 * one verifier-side check fits every TEE (docs/formats/evidence-binding.md).
 */
import { createHash } from 'node:crypto';
import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';

const DOMAIN = new TextEncoder().encode('secgear evidence binding v1');
const MAX_NONCE = 64;
const MAX_DATA = 64 * 1024;

/** Validates an untrusted evidence request (from enclave code) and returns its binding. */
export function reportDataForRequest(request: unknown): Uint8Array {
  const { nonce, reportData } = (typeof request === 'object' && request !== null ? request : {}) as { nonce?: unknown; reportData?: unknown };
  if (nonce !== undefined && (!isBytes(nonce) || nonce.byteLength > MAX_NONCE)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `the evidence nonce must be a Uint8Array of at most ${MAX_NONCE} bytes`);
  if (reportData !== undefined && (!isBytes(reportData) || reportData.byteLength > MAX_DATA)) throw new SecGearError(ErrorCode.BAD_PARAMETERS, `reportData must be a Uint8Array of at most ${MAX_DATA} bytes`);
  const hash = createHash('sha512');
  for (const part of [DOMAIN, (nonce as Uint8Array | undefined) ?? new Uint8Array(0), (reportData as Uint8Array | undefined) ?? new Uint8Array(0)]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.byteLength);
    hash.update(length).update(part);
  }
  return new Uint8Array(hash.digest());
}
