import { ErrorCode, SecGearError } from '../../common/errors.js';

/** Bounds-checked little-endian reader over a byte range; every overrun is a clear parse error. */
export class ByteReader {
  private offset: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.byteLength,
    private readonly what = 'quote',
  ) {
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(count: number, field: string): void {
    if (this.offset + count > this.end) {
      throw new SecGearError(
        ErrorCode.INVALID_EVIDENCE,
        `${this.what} truncated: ${field} needs ${count} bytes at offset ${this.offset} but only ${Math.max(0, this.end - this.offset)} remain`,
      );
    }
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.bytes[this.offset] | (this.bytes[this.offset + 1] << 8);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const o = this.offset;
    const v = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
    this.offset += 4;
    return v;
  }

  /** A view (no copy) of the next `count` bytes. */
  take(count: number, field: string): Uint8Array {
    this.need(count, field);
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }
}

export function invalidEvidence(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, message);
}
