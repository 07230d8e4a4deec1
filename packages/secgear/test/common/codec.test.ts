import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrom, encodeInto } from '../../src/common/codec.js';
import { isSecGearError } from '../../src/common/errors.js';

const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

test('codec round-trips plain data exactly', () => {
  const buf = Buffer.alloc(1 << 16);
  fc.assert(
    fc.property(plain, (value) => {
      const end = encodeInto(value, buf, 0, buf.byteLength);
      assert.ok(end > 0);
      assert.deepStrictEqual(decodeFrom(buf, 0, end), value);
    }),
  );
});

test('codec reports values that do not fit with -1 and never writes past the end', () => {
  const buf = Buffer.alloc(64, 0xee);
  assert.equal(encodeInto('x'.repeat(100), buf, 0, 32), -1);
  assert.ok(buf.subarray(32).every((b) => b === 0xee));
  assert.equal(encodeInto(new Uint8Array(40), buf, 0, 32), -1);
});

test('codec decoding of random bytes gives a value or a clear error, never a crash; "__proto__" keys stay data', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
      const buf = Buffer.from(bytes);
      try {
        decodeFrom(buf, 0, buf.byteLength);
      } catch (error) {
        assert.ok(isSecGearError(error), String(error));
      }
    }),
    { numRuns: 2000 },
  );
  const buf = Buffer.alloc(256);
  const value = JSON.parse('{"__proto__": {"polluted": true}}');
  const end = encodeInto(value, buf, 0, buf.byteLength);
  const decoded = decodeFrom(buf, 0, end) as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.keys(decoded), ['__proto__']);
});
