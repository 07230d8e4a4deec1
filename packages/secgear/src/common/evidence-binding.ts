/**
 * The one way secGear binds a verifier's nonce and the enclave's data into evidence, on every
 * TEE (docs/formats/evidence-binding.md). Hardware gives 64 bytes for both together (SGX/TDX
 * REPORTDATA, SEV-SNP REPORT_DATA, the CCA realm challenge); the platform fills them with
 *
 *   SHA-512( u32(len D) ‖ D ‖ u32(len nonce) ‖ nonce ‖ u32(len data) ‖ data )
 *
 * where D is the domain label below and u32 is big-endian. The length prefixes keep (nonce,
 * data) pairs apart that would concatenate to the same bytes; the label keeps the digest apart
 * from any other SHA-512 a TEE's report data might hold. Platforms (src/backends) write it;
 * verifiers (src/attest) recompute it. Both import this file only.
 */
import { createHash } from 'node:crypto';
import { isBytes } from './bytes.js';
import { ErrorCode, SecGearError } from './errors.js';

export const EVIDENCE_BINDING_DOMAIN = 'secgear evidence binding v1';
/** Size of the binding: the report data slot of every hardware TEE. */
export const EVIDENCE_BINDING_SIZE = 64;
/** Largest nonce a request may carry (the sim evidence nonce field; Nitro allows more). */
export const MAX_BINDING_NONCE_SIZE = 64;
/** Largest data a request may bind: it is hashed, so it need not fit the 64-byte slot. */
export const MAX_BINDING_DATA_SIZE = 64 * 1024;

const DOMAIN = new TextEncoder().encode(EVIDENCE_BINDING_DOMAIN);

/** What evidence binds: both parts optional, absent = empty. */
export interface EvidenceBindingInput {
  /** The verifier's challenge, 0 to 64 bytes. */
  nonce?: Uint8Array;
  /** The enclave's data (a key, a hash of a transcript, ...), 0 to 64 KiB. */
  reportData?: Uint8Array;
}

function lengthOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, bytes.byteLength);
  return out;
}

/** Throws CC_ERROR_BAD_PARAMETERS when the nonce or data is not bytes or too long. */
export function checkBindingInput(input: EvidenceBindingInput, where: string): void {
  const { nonce, reportData } = input;
  if (nonce !== undefined && (!isBytes(nonce) || nonce.byteLength > MAX_BINDING_NONCE_SIZE)) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${where}: nonce must be a Uint8Array of at most ${MAX_BINDING_NONCE_SIZE} bytes`);
  }
  if (reportData !== undefined && (!isBytes(reportData) || reportData.byteLength > MAX_BINDING_DATA_SIZE)) {
    throw new SecGearError(
      ErrorCode.BAD_PARAMETERS,
      `${where}: reportData must be a Uint8Array of at most ${MAX_BINDING_DATA_SIZE} bytes (it is hashed into the evidence; hash larger data yourself)`,
    );
  }
}

/** The 64 bytes a platform puts in the TEE's report data slot for this nonce and data. */
export function evidenceBinding(input: EvidenceBindingInput = {}): Uint8Array {
  checkBindingInput(input, 'evidenceBinding');
  const nonce = input.nonce ?? new Uint8Array(0);
  const data = input.reportData ?? new Uint8Array(0);
  const hash = createHash('sha512');
  for (const part of [DOMAIN, nonce, data]) hash.update(lengthOf(part)).update(part);
  return new Uint8Array(hash.digest());
}
