/**
 * The p11-kit RPC primitives (docs/formats/p11-kit-rpc.md): big-endian u32 and u64, single
 * bytes, and byte arrays as a u32 length followed by the bytes, with 0xffffffff for "no array".
 * A reader never reads past its input: every shortfall is a `RpcDecodeError`.
 */

/** Lengths at or above this are refused (p11-kit refuses them too). */
export const MAX_ARRAY_LENGTH = 0x7fffffff;
export const NULL_LENGTH = 0xffffffff;

export class RpcDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpcDecodeError';
  }
}

export class WireReader {
  #offset = 0;
  readonly #view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.#offset;
  }

  #need(n: number, what: string): void {
    if (this.remaining < n) throw new RpcDecodeError(`truncated message: ${what} needs ${n} bytes at offset ${this.#offset}, ${this.remaining} left`);
  }

  byte(): number {
    this.#need(1, 'a byte');
    return this.#view.getUint8(this.#offset++);
  }

  u32(): number {
    this.#need(4, 'a u32');
    const v = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return v;
  }

  /** A CK_ULONG. Values above 2^53 lose precision; they are never valid handles or types here. */
  u64(): number {
    this.#need(8, 'a u64');
    const hi = this.#view.getUint32(this.#offset);
    const lo = this.#view.getUint32(this.#offset + 4);
    this.#offset += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** A byte array; null for the 0xffffffff "no array" marker. The result is a view into the input. */
  byteArray(): Uint8Array | null {
    const length = this.u32();
    if (length === NULL_LENGTH) return null;
    if (length >= MAX_ARRAY_LENGTH) throw new RpcDecodeError(`byte array length ${length} is too large`);
    this.#need(length, 'a byte array');
    const out = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }
}

export class WireWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #length = 0;

  #grow(n: number): void {
    if (this.#length + n <= this.#buf.byteLength) return;
    let size = this.#buf.byteLength * 2;
    while (size < this.#length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  byte(v: number): this {
    this.#grow(1);
    this.#view.setUint8(this.#length++, v & 0xff);
    return this;
  }

  u32(v: number): this {
    this.#grow(4);
    this.#view.setUint32(this.#length, v >>> 0);
    this.#length += 4;
    return this;
  }

  u64(v: number): this {
    this.#grow(8);
    const n = v < 0 ? 2 ** 64 + v : v; // -1 (CK_UNAVAILABLE_INFORMATION) is all ones
    this.#view.setUint32(this.#length, Math.floor(n / 0x1_0000_0000) >>> 0);
    this.#view.setUint32(this.#length + 4, n >>> 0);
    this.#length += 8;
    return this;
  }

  byteArray(bytes: Uint8Array | null): this {
    if (bytes === null) return this.u32(NULL_LENGTH);
    this.u32(bytes.byteLength);
    return this.raw(bytes);
  }

  raw(bytes: Uint8Array): this {
    this.#grow(bytes.byteLength);
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.byteLength;
    return this;
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#length);
  }
}
