import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';
import {
  MESSAGE_VERSION,
  MessageType,
  P256_SHA256,
  P384_SHA256,
  SUITES,
  decodeMessage,
  encodeMessage,
  messageLength,
  type PakeMessage,
} from '../../src/pake/index.js';
import { isCode } from './helpers.js';

const arbMessage: fc.Arbitrary<PakeMessage> = fc.constantFrom(...SUITES).chain((suite) =>
  fc.oneof(
    fc.uint8Array({ minLength: suite.pointLength, maxLength: suite.pointLength }).map((shareP) => ({ type: 'SHARE_P' as const, suite, shareP })),
    fc
      .tuple(
        fc.uint8Array({ minLength: suite.pointLength, maxLength: suite.pointLength }),
        fc.uint8Array({ minLength: suite.hashLength, maxLength: suite.hashLength }),
      )
      .map(([shareV, confirmV]) => ({ type: 'SHARE_V' as const, suite, shareV, confirmV })),
    fc.uint8Array({ minLength: suite.hashLength, maxLength: suite.hashLength }).map((confirmP) => ({ type: 'CONFIRM_P' as const, suite, confirmP })),
  ),
);

test('encode/decode round trip for every message type and suite', () => {
  fc.assert(
    fc.property(arbMessage, (m) => {
      const bytes = encodeMessage(m);
      assert.equal(bytes.byteLength, messageLength(m.suite, m.type));
      assert.deepEqual(decodeMessage(bytes), m);
      assert.deepEqual(decodeMessage(bytes, m.type), m);
    }),
  );
});

test('arbitrary bytes either decode to a message that re-encodes identically, or fail with CC_ERROR_INVALID_MESSAGE', () => {
  const header = fc.tuple(fc.constantFrom(0, 1, 2), fc.constantFrom(0, 1, 2, 3, 4, 0xff), fc.constantFrom(0, 1, 2, 3, 0xff));
  const arbBytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(header, fc.uint8Array({ maxLength: 140 })).map(([h, body]) => new Uint8Array([...h, ...body])),
  );
  fc.assert(
    fc.property(arbBytes, (bytes) => {
      try {
        const m = decodeMessage(bytes);
        assert.deepEqual(encodeMessage(m), bytes);
      } catch (e) {
        assert.ok(e instanceof SecGearError && e.code === ErrorCode.INVALID_MESSAGE, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

test('truncated or extended messages are refused', () => {
  fc.assert(
    fc.property(arbMessage, fc.integer({ min: -8, max: 8 }).filter((d) => d !== 0), (m, delta) => {
      const bytes = encodeMessage(m);
      const changed = delta < 0 ? bytes.slice(0, Math.max(0, bytes.byteLength + delta)) : new Uint8Array([...bytes, ...new Uint8Array(delta)]);
      assert.throws(() => decodeMessage(changed), isCode(ErrorCode.INVALID_MESSAGE));
    }),
  );
});

test('specific malformed headers name what is wrong', () => {
  const good = encodeMessage({ type: 'CONFIRM_P', suite: P256_SHA256, confirmP: new Uint8Array(32) });
  const cases: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array(0), /too short/],
    [new Uint8Array([1, 3]), /too short/],
    [Uint8Array.from([2, ...good.subarray(1)]), /version 2/],
    [Uint8Array.from([1, 9, ...good.subarray(2)]), /type 0x09/],
    [Uint8Array.from([1, 3, 0x33, ...good.subarray(3)]), /ciphersuite id 0x33/],
    [Uint8Array.from([1, 1, P384_SHA256.id, ...new Uint8Array(65)]), /SHARE_P message for .*P384.* must be 100 bytes, got 68/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(() => decodeMessage(bytes), (e: unknown) => isCode(ErrorCode.INVALID_MESSAGE)(e) && pattern.test((e as Error).message));
  }
  assert.throws(() => decodeMessage('01' as never), isCode(ErrorCode.INVALID_MESSAGE));
  assert.throws(() => decodeMessage(good, 'SHARE_P'), isCode(ErrorCode.PROTOCOL_STATE));
  assert.equal(MESSAGE_VERSION, 1);
  assert.deepEqual({ ...MessageType }, { SHARE_P: 1, SHARE_V: 2, CONFIRM_P: 3 });
});

test('encodeMessage refuses fields of the wrong size', () => {
  assert.throws(
    () => encodeMessage({ type: 'SHARE_P', suite: P384_SHA256, shareP: new Uint8Array(65) }),
    isCode(ErrorCode.BAD_PARAMETERS),
  );
  assert.throws(
    () => encodeMessage({ type: 'SHARE_V', suite: P256_SHA256, shareV: new Uint8Array(65), confirmV: new Uint8Array(31) }),
    isCode(ErrorCode.BAD_PARAMETERS),
  );
});
