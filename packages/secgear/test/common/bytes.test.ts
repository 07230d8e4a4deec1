import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { constantTimeEqual, fromHex, toHex, concatBytes } from '../../src/common/bytes.js';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';

test('hex round trip for any bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    assert.deepEqual(fromHex(toHex(bytes)), bytes);
  }));
});

test('bad hex is a clear CC_ERROR_BAD_PARAMETERS', () => {
  for (const bad of ['abc', 'zz', '0x1']) {
    assert.throws(() => fromHex(bad), (e: unknown) => e instanceof SecGearError && e.code === ErrorCode.BAD_PARAMETERS);
  }
});

test('constant-time equality and concat', () => {
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 2])), false);
  assert.deepEqual(concatBytes(new Uint8Array([1]), new Uint8Array([2, 3])), new Uint8Array([1, 2, 3]));
});
