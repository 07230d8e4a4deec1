/**
 * The block that local reports and sim evidence share (docs/formats/local-report.md and
 * sim-evidence.md): bytes 8..176 of both hold prodId, svn, measurement, signer and the 64 bytes
 * of report data, at the same offsets. Each format keeps its own debug flag byte.
 */
import type { EnclaveIdentity } from '../../common/platform.js';
import { REPORT_DATA_SIZE } from '../../common/platform-ops.js';

/** First byte after the block. */
export const IDENTITY_BLOCK_END = 176;

/** Writes the block into `out` (at least 176 bytes); `reportData` must be exactly 64 bytes. */
export function writeIdentityBlock(out: Uint8Array, identity: EnclaveIdentity, reportData: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, IDENTITY_BLOCK_END);
  view.setUint32(8, identity.prodId);
  view.setUint32(12, identity.svn);
  out.set(identity.measurement, 16);
  out.set(identity.signer, 64);
  out.set(reportData, 112);
}

/** Reads the block (copies, not views) from bytes whose length the caller has checked. */
export function readIdentityBlock(bytes: Uint8Array, debug: boolean): { identity: EnclaveIdentity; reportData: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, IDENTITY_BLOCK_END);
  return {
    identity: {
      measurement: bytes.slice(16, 64),
      signer: bytes.slice(64, 112),
      prodId: view.getUint32(8),
      svn: view.getUint32(12),
      debug,
    },
    reportData: bytes.slice(112, 112 + REPORT_DATA_SIZE),
  };
}
