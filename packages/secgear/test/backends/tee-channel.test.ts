// The gramine-sgx channel's pieces: hello parsing, framing, key agreement and records.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { channelBindingData, deriveChannelKeys, encodeHello, generateChannelKey, parseHello, RecordCipher } from '../../src/backends/tee-channel/channel-crypto.js';
import { FrameReader, frame } from '../../src/backends/tee-channel/frame-reader.js';
import { ErrorCode, isSecGearError } from '../../src/common/errors.js';
import { rejectsWith } from '../support/assertions.js';

describe('tee channel', () => {
  test('both ends derive the same direction keys; records open once, in order, unaltered', () => {
    const host = generateChannelKey();
    const enclave = generateChannelKey();
    const h = deriveChannelKeys(host, enclave.publicKey, host.publicKey, enclave.publicKey);
    const e = deriveChannelKeys(enclave, host.publicKey, host.publicKey, enclave.publicKey);
    assert.deepEqual(h, e);
    assert.notDeepEqual(h.hostToEnclave, h.enclaveToHost);
    const sender = new RecordCipher(h.hostToEnclave.slice());
    const receiver = new RecordCipher(e.hostToEnclave.slice());
    const r1 = sender.seal(new Uint8Array([1]));
    const r2 = sender.seal(new Uint8Array([2]));
    assert.throws(() => receiver.open(r2), rejectsWith(ErrorCode.MAC_INVALID), 'out of order');
    const fresh = new RecordCipher(e.hostToEnclave.slice());
    assert.deepEqual(fresh.open(r1), new Uint8Array([1]));
    assert.throws(() => fresh.open(r1), rejectsWith(ErrorCode.MAC_INVALID), 'replayed');
    const flipped = r2.slice();
    flipped[0] ^= 1;
    assert.throws(() => new RecordCipher(e.hostToEnclave.slice()).open(flipped), rejectsWith(ErrorCode.MAC_INVALID));
    assert.throws(() => fresh.open(new Uint8Array(3)), rejectsWith(ErrorCode.INVALID_MESSAGE));
    // a third party's key gives other keys
    const other = deriveChannelKeys(generateChannelKey(), enclave.publicKey, host.publicKey, enclave.publicKey);
    assert.notDeepEqual(other.hostToEnclave, h.hostToEnclave);
  });

  test('a low-order X25519 key is refused; the binding data covers both keys in order', () => {
    const host = generateChannelKey();
    assert.throws(() => deriveChannelKeys(host, new Uint8Array(32), host.publicKey, new Uint8Array(32)), rejectsWith(ErrorCode.INVALID_POINT));
    const a = generateChannelKey().publicKey;
    const b = generateChannelKey().publicKey;
    assert.notDeepEqual(channelBindingData(a, b), channelBindingData(b, a));
  });

  test('hello: round trip, and any bytes parse or fail with CC_ERROR_INVALID_MESSAGE', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 300 }), (key, type, evidence) => {
        const hello = parseHello(encodeHello({ enclavePublic: key, mediaType: type, evidence }));
        assert.deepEqual([hello.enclavePublic, hello.mediaType, hello.evidence], [key, type, evidence]);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, withMagic) => {
        const input = withMagic ? Uint8Array.from([0x53, 0x47, 0x43, 0x48, 1, ...bytes]) : bytes;
        try {
          parseHello(input);
        } catch (error) {
          assert.ok(isSecGearError(error, ErrorCode.INVALID_MESSAGE));
        }
      }),
    );
  });

  test('frames survive any chunking; an oversized frame is refused before it is buffered', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => frame(p)));
        const seen: Uint8Array[] = [];
        const reader = new FrameReader(100, (f) => seen.push(f), (m) => assert.fail(m));
        let at = 0;
        for (let i = 0; at < stream.byteLength; i++) {
          const n = cuts[i % cuts.length];
          reader.push(stream.subarray(at, at + n));
          at += n;
        }
        assert.deepEqual(seen, payloads);
      }),
    );
    const errors: string[] = [];
    const reader = new FrameReader(10, () => assert.fail('no frame'), (m) => errors.push(m));
    reader.push(Buffer.from([0, 0, 1, 0]));
    assert.match(errors[0], /larger than the limit/);
  });
});
