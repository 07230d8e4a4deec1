/**
 * Length-prefixed frames over a byte stream (a TCP socket): u32 big-endian length, then that
 * many bytes. The reader refuses frames above its limit before buffering them, so a peer
 * cannot make us hold more than `maxFrame` bytes.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly maxFrame: number,
    private readonly onFrame: (frame: Uint8Array) => void,
    private readonly onError: (message: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    for (;;) {
      if (this.buffered < 4) return;
      const head = this.peek(4);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrame) {
        this.chunks = [];
        this.buffered = 0;
        this.onError(`a frame of ${length} bytes is larger than the limit of ${this.maxFrame}`);
        return;
      }
      if (this.buffered < 4 + length) return;
      const all = Buffer.concat(this.chunks, this.buffered);
      const frame = new Uint8Array(all.subarray(4, 4 + length));
      const rest = all.subarray(4 + length);
      this.chunks = rest.byteLength ? [rest] : [];
      this.buffered = rest.byteLength;
      this.onFrame(frame);
    }
  }

  private peek(n: number): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered).subarray(0, n);
  }
}

export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, 4);
  return out;
}
