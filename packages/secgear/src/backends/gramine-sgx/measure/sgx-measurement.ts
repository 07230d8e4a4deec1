/**
 * MRENCLAVE as the CPU computes it while an enclave is built (Intel SDM vol. 3D, "ECREATE",
 * "EADD", "EEXTEND"): a SHA-256 over 64-byte records, in build order:
 * - ECREATE: "ECREATE\0", SSAFRAMESIZE (u32, pages), SIZE (u64), 44 zero bytes;
 * - EADD:    "EADD\0\0\0\0", page offset from the enclave base (u64), SECINFO.FLAGS (u64), 40 zero bytes;
 * - EEXTEND: "EEXTEND\0", offset of a 256-byte chunk (u64), 48 zero bytes, then the 256 bytes.
 * All integers little-endian. A page is EADDed once and, when measured, EEXTENDed in 16 chunks.
 */
import { createHash, type Hash } from 'node:crypto';

export const PAGE_SIZE = 4096;
export const EEXTEND_CHUNK = 256;

/** SECINFO flags: permissions and the page type (bits 8..15). */
export const SecinfoFlags = { R: 0x1, W: 0x2, X: 0x4, PT_TCS: 0x100, PT_REG: 0x200 } as const;

function record(tag: string): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(64);
  bytes.set(new TextEncoder().encode(tag));
  return { bytes, view: new DataView(bytes.buffer) };
}

export function ecreateRecord(ssaFramePages: number, enclaveSize: bigint): Uint8Array {
  const { bytes, view } = record('ECREATE');
  view.setUint32(8, ssaFramePages, true);
  view.setBigUint64(12, enclaveSize, true);
  return bytes;
}

export function eaddRecord(offset: bigint, flags: number): Uint8Array {
  const { bytes, view } = record('EADD');
  view.setBigUint64(8, offset, true);
  view.setBigUint64(16, BigInt(flags), true);
  return bytes;
}

export function eextendRecord(offset: bigint): Uint8Array {
  const { bytes, view } = record('EEXTEND');
  view.setBigUint64(8, offset, true);
  return bytes;
}

/** The running MRENCLAVE of an enclave being built. */
export class MrEnclaveBuilder {
  private readonly hash: Hash = createHash('sha256');
  private readonly size: bigint;
  /** How many pages were added (for listings and tests). */
  pages = 0;

  constructor(ssaFramePages: number, enclaveSize: bigint) {
    this.size = enclaveSize;
    this.hash.update(ecreateRecord(ssaFramePages, enclaveSize));
  }

  /** EADD one page at `offset`, then EEXTEND its 16 chunks when `measure`. */
  addPage(offset: bigint, flags: number, content: Uint8Array | null, measure: boolean): void {
    if (offset < 0n || offset >= this.size) throw new RangeError(`page offset ${offset} is outside the enclave`);
    if (content && content.byteLength !== PAGE_SIZE) throw new RangeError('a page is exactly 4096 bytes');
    this.hash.update(eaddRecord(offset, flags));
    this.pages++;
    if (!measure) return;
    const page = content ?? ZERO_PAGE;
    for (let i = 0; i < PAGE_SIZE; i += EEXTEND_CHUNK) {
      this.hash.update(eextendRecord(offset + BigInt(i)));
      this.hash.update(page.subarray(i, i + EEXTEND_CHUNK));
    }
  }

  digest(): Uint8Array {
    return new Uint8Array(this.hash.digest());
  }
}

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);
