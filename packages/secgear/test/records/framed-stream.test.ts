// FramedStream: length-prefixed frames over any byte stream, split and joined any way the
// network likes; oversized announcements cut the peer off before anything is buffered.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { FramedStream } from '../../src/records/framed-stream.js';

function encode(frames: Uint8Array[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(f.byteLength);
    return [head, Buffer.from(f)];
  }));
}

describe('FramedStream', () => {
  test('send and next round-trip over a stream', async () => {
    const wire = new PassThrough();
    const framed = new FramedStream(wire, { maxFrameLength: 1024 });
    framed.send(new Uint8Array([1, 2, 3]));
    framed.send(new Uint8Array(0));
    assert.deepEqual(await framed.next(), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await framed.next(), new Uint8Array(0));
    wire.end();
    assert.equal(await framed.next(), null);
  });

  test('frames arrive whole however the bytes are split (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 }), async (frames, cuts) => {
        const wire = new PassThrough();
        const framed = new FramedStream(wire, { maxFrameLength: 300 });
        const bytes = encode(frames);
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const n = cuts[i % cuts.length];
          wire.write(bytes.subarray(at, at + n));
          at += n;
        }
        wire.end();
        const got: Uint8Array[] = [];
        for (let f = await framed.next(); f; f = await framed.next()) got.push(f);
        assert.deepEqual(got.map((g) => Buffer.from(g).toString('hex')), frames.map((g) => Buffer.from(g).toString('hex')));
      }),
      { numRuns: 200 },
    );
  });

  test('an oversized announcement rejects the reader and destroys the stream', async () => {
    const wire = new PassThrough();
    const framed = new FramedStream(wire, { maxFrameLength: 16 });
    const pending = framed.next();
    wire.write(Buffer.from([0, 0, 0, 17]));
    await assert.rejects(pending, (e: Error & { code?: string }) => e.code === 'CC_ERROR_BAD_PARAMETERS' && /17 bytes \(limit 16\)/.test(e.message));
    assert.ok(wire.destroyed);
    await assert.rejects(framed.next(), /limit 16/);
  });

  test('refuses to send a frame over the limit and a bad limit', () => {
    const framed = new FramedStream(new PassThrough(), { maxFrameLength: 4 });
    assert.throws(() => framed.send(new Uint8Array(5)), /over the limit of 4/);
    assert.throws(() => new FramedStream(new PassThrough(), { maxFrameLength: 0 }), /positive integer/);
  });

  test('a stream error rejects waiting readers', async () => {
    const wire = new PassThrough();
    const framed = new FramedStream(wire, { maxFrameLength: 16 });
    const pending = framed.next();
    wire.destroy(new Error('reset by peer'));
    await assert.rejects(pending, /reset by peer/);
  });

  test('a truncated last frame ends as a close, not a frame', async () => {
    const wire = new PassThrough();
    const framed = new FramedStream(wire, { maxFrameLength: 16 });
    wire.end(Buffer.from([0, 0, 0, 5, 1, 2]));
    assert.equal(await framed.next(), null);
  });
});
