import { createHash } from 'node:crypto';
import { bytesEqual } from '../common/bytes.js';
import { reportDataBinds } from './evidence-binding.js';

/**
 * Whether a 64-byte REPORTDATA / REPORT_DATA binds a verifier's nonce, for TEEs whose reports
 * have no nonce field of their own (SGX, TDX, SEV-SNP): it is secGear's binding of the nonce
 * with no data (docs/formats/evidence-binding.md), or, as tools other than secGear write it,
 * it starts with the nonce itself (1 to 64 bytes), or with its SHA-256, or is its SHA-512.
 */
export function reportDataBindsNonce(reportData: Uint8Array, nonce: Uint8Array): boolean {
  if (reportDataBinds(reportData, { nonce })) return true;
  if (nonce.byteLength > 0 && nonce.byteLength <= reportData.byteLength && bytesEqual(reportData.subarray(0, nonce.byteLength), nonce)) return true;
  if (bytesEqual(reportData.subarray(0, 32), createHash('sha256').update(nonce).digest())) return true;
  return bytesEqual(reportData, createHash('sha512').update(nonce).digest());
}
