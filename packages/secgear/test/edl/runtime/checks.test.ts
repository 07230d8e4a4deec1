/**
 * Direct tests of secgear/edl-runtime's value checks: every width at and just beyond its
 * bounds, and the exact CC_ERROR_BAD_PARAMETERS messages generated code relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SecGearError } from '../../../src/common/errors.js';
import * as rt from '../../../src/edl/runtime/index.js';

const W = 'ecall f';
const K = ': x';

/** Asserts `f` throws CC_ERROR_BAD_PARAMETERS with exactly `message`. */
function bad(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof SecGearError, `not a SecGearError: ${String(e)}`);
    assert.equal(e.code, 'CC_ERROR_BAD_PARAMETERS');
    assert.equal(e.message, message);
    return true;
  });
}

const INTS: [string, (v: unknown, w: string, k: string) => number, number, number, string][] = [
  ['$i8', rt.$i8, -128, 127, 'an int8 (-128..127)'],
  ['$u8', rt.$u8, 0, 255, 'a uint8 (0..255)'],
  ['$i16', rt.$i16, -32768, 32767, 'an int16 (-32768..32767)'],
  ['$u16', rt.$u16, 0, 65535, 'a uint16 (0..65535)'],
  ['$i32', rt.$i32, -2147483648, 2147483647, 'an int32 (-2147483648..2147483647)'],
  ['$u32', rt.$u32, 0, 4294967295, 'a uint32 (0..4294967295)'],
];

for (const [name, check, min, max, what] of INTS) {
  test(`runtime: ${name} takes ${min}..${max} and refuses one beyond each end, fractions and non-numbers`, () => {
    for (const v of [min, max, 0, 1, min + 1, max - 1]) assert.equal(check(v, W, K), v);
    for (const v of [min - 1, max + 1, 0.5, max - 0.5, NaN, Infinity, -Infinity]) bad(() => check(v, W, K), `ecall f: x: expected ${what}, got ${v}`);
    bad(() => check(BigInt(max), W, K), `ecall f: x: expected ${what}, got ${max}n`);
    bad(() => check(String(max), W, K), `ecall f: x: expected ${what}, got "${max}"`);
    bad(() => check(undefined, W, K), `ecall f: x: expected ${what}, got undefined`);
    bad(() => check(null, W, K), `ecall f: x: expected ${what}, got null`);
    bad(() => check(true, W, K), `ecall f: x: expected ${what}, got true`);
  });

  test(`runtime: ${name} agrees with a plain range test on any number`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: min - 1000, max: max + 1000 }), fc.double()), (v) => {
        const ok = Number.isInteger(v) && v >= min && v <= max;
        if (ok) assert.equal(check(v, W, K), v);
        else assert.throws(() => check(v, W, K), SecGearError);
      }),
      { seed: 0x1d7, numRuns: 500 },
    );
  });
}

test('runtime: $i64, $u64 and $handle take bigints in range and refuse one beyond each end and numbers', () => {
  const cases: [(v: unknown, w: string, k: string) => bigint, bigint, bigint, string][] = [
    [rt.$i64, -(2n ** 63n), 2n ** 63n - 1n, 'an int64 as a bigint'],
    [rt.$u64, 0n, 2n ** 64n - 1n, 'a uint64 as a bigint'],
    [rt.$handle, 0n, 2n ** 64n - 1n, 'an opaque handle (a uint64 bigint)'],
  ];
  for (const [check, min, max, what] of cases) {
    for (const v of [min, max, 0n, min + 1n, max - 1n]) assert.equal(check(v, W, K), v);
    for (const v of [min - 1n, max + 1n]) bad(() => check(v, W, K), `ecall f: x: expected ${what}, got ${v}n`);
    bad(() => check(1, W, K), `ecall f: x: expected ${what}, got 1`);
    bad(() => check('1', W, K), `ecall f: x: expected ${what}, got "1"`);
  }
});

test('runtime: $f32 rounds to float, $f64 keeps the number; both refuse non-numbers', () => {
  assert.equal(rt.$f32(0.1, W, K), Math.fround(0.1));
  assert.notEqual(rt.$f32(0.1, W, K), 0.1);
  assert.equal(rt.$f32(1e40, W, K), Infinity);
  assert.ok(Number.isNaN(rt.$f32(NaN, W, K)));
  assert.equal(rt.$f64(0.1, W, K), 0.1);
  assert.ok(Number.isNaN(rt.$f64(NaN, W, K)));
  bad(() => rt.$f32(1n, W, K), 'ecall f: x: expected a number (float), got 1n');
  bad(() => rt.$f64('1', W, K), 'ecall f: x: expected a number (double), got "1"');
  assert.equal(rt.$bool(false, W, K), false);
  bad(() => rt.$bool(0, W, K), 'ecall f: x: expected a boolean, got 0');
});

test('runtime: $str refuses non-strings, NUL characters and lone surrogates; $fits bounds the UTF-8 length', () => {
  assert.equal(rt.$str('héllo 😀', W, K), 'héllo 😀');
  assert.equal(rt.$str('', W, K), '');
  bad(() => rt.$str(1, W, K), 'ecall f: x: expected a string, got 1');
  bad(() => rt.$str('a\0b', W, K), 'ecall f: x: expected a string without NUL characters (C strings end at the first NUL), got "a\\u0000b"');
  bad(() => rt.$str('a\ud800', W, K), 'ecall f: x: expected a well-formed string (no lone surrogates; it must encode as UTF-8), got "a\\ud800"');
  bad(() => rt.$str('\udc00'.repeat(41), W, K), 'ecall f: x: expected a well-formed string (no lone surrogates; it must encode as UTF-8), got a string of 41 characters');
  for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€']) assert.equal(rt.$utf8len(s), new TextEncoder().encode(s).length);
  assert.equal(rt.$fits('€', 'abc', W, K), '€');
  bad(() => rt.$fits('abcd', 'abc', W, K), 'ecall f: x: expected a string of at most 3 UTF-8 bytes (the length passed in), got "abcd"');
});

test('runtime: $utf8len equals the encoded length of any well-formed string', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => assert.equal(rt.$utf8len(s), new TextEncoder().encode(s).length)), { seed: 8, numRuns: 300 });
});

test('runtime: $enum, $obj, $arr, $arrAny check shape and size', () => {
  const names = new Set(['OFF', 'ON']);
  assert.equal(rt.$enum('ON', names, W, K), 'ON');
  bad(() => rt.$enum('on', names, W, K), 'ecall f: x: expected one of OFF, ON, got "on"');
  const o = { a: 1 };
  assert.equal(rt.$obj(o, W, K), o);
  for (const [v, shown] of [[null, 'null'], [[], 'an array of 0'], [new Uint8Array(2), 'Uint8Array of 2 bytes'], ['s', '"s"'], [() => 0, 'function']] as const) {
    bad(() => rt.$obj(v, W, K), `ecall f: x: expected an object, got ${shown}`);
  }
  const a = [1, 2];
  assert.equal(rt.$arr(a, 2, W, K), a);
  bad(() => rt.$arr([1], 2, W, K), 'ecall f: x: expected an array of 2, got an array of 1');
  assert.equal(rt.$arrAny(a, 2, W, K), a);
  bad(() => rt.$arrAny([1, 2, 3], 2, W, K), 'ecall f: x: expected an array, got an array of 3');
  bad(() => rt.$arrAny(new Uint8Array(1), 2, W, K), 'ecall f: x: expected an array, got Uint8Array of 1 bytes');
});

test('runtime: $bytes and $bytesAny take exact sizes and copy shared memory', () => {
  const b = new Uint8Array(4);
  assert.equal(rt.$bytes(b, 4, W, K), b);
  bad(() => rt.$bytes(b, 5, W, K), 'ecall f: x: expected a Uint8Array of 5 bytes, got Uint8Array of 4 bytes');
  bad(() => rt.$bytes(new Int8Array(4), 4, W, K), 'ecall f: x: expected a Uint8Array of 4 bytes, got Int8Array of 4 bytes');
  bad(() => rt.$bytes([1, 2, 3, 4], 4, W, K), 'ecall f: x: expected a Uint8Array of 4 bytes, got an array of 4');
  const shared = new Uint8Array(new SharedArrayBuffer(4));
  shared[0] = 7;
  const copy = rt.$bytes(shared, 4, W, K);
  assert.notEqual(copy.buffer, shared.buffer);
  assert.ok(copy.buffer instanceof ArrayBuffer);
  assert.deepEqual([...copy], [7, 0, 0, 0]);
  assert.equal(rt.$bytesAny(b, 2, 4, W, K), b);
  assert.ok(rt.$bytesAny(shared, 1, 4, W, K).buffer instanceof ArrayBuffer);
  bad(() => rt.$bytesAny(b, 3, 4, W, K), 'ecall f: x: expected a Uint8Array of whole 3-byte elements, got Uint8Array of 4 bytes');
  bad(() => rt.$bytesAny(b, 1, 3, W, K), 'ecall f: x: expected a Uint8Array of whole 1-byte elements, got Uint8Array of 4 bytes');
});

test('runtime: $view rebuilds typed arrays from their bytes, aligned and private; $raw is its inverse', () => {
  const v = new Int32Array([1, -2, 3]);
  const wire = rt.$raw(v, Int32Array) as Uint8Array;
  assert.ok(wire instanceof Uint8Array);
  assert.equal(wire.byteLength, 12);
  assert.deepEqual([...rt.$view(wire, 3, Int32Array, W, K)], [1, -2, 3]);
  // misaligned bytes are copied to an aligned buffer
  const odd = new Uint8Array(13).subarray(1);
  odd.set(wire);
  assert.deepEqual([...rt.$view(odd, 3, Int32Array, W, K)], [1, -2, 3]);
  bad(() => rt.$view(wire, 4, Int32Array, W, K), 'ecall f: x: expected Int32Array of 4 elements (16 bytes), got Uint8Array of 12 bytes');
  bad(() => rt.$view(v, 3, Int32Array, W, K), 'ecall f: x: expected Int32Array of 3 elements (12 bytes), got Int32Array of 12 bytes');
  // values of another class go as they are (the receiver refuses them)
  assert.equal(rt.$raw(v, Float64Array), v);
  assert.equal(rt.$raw('x', Int32Array), 'x');
});

test('runtime: $len takes sizes 0..max as numbers or bigints; $elems divides into whole elements', () => {
  for (const x of [0, 10, 0n, 10n]) assert.equal(rt.$len(x, 10, W, K), Number(x));
  for (const [x, shown] of [[11, '11'], [11n, '11n'], [-1, '-1'], [-1n, '-1n'], [1.5, '1.5'], [NaN, 'NaN'], [2n ** 64n, `${2n ** 64n}n`]] as const) {
    bad(() => rt.$len(x, 10, W, K), `ecall f: x: expected a size from 0 to 10 bytes (maxBufferBytes), got ${shown}`);
  }
  // the largest limit generate allows, at and just beyond it
  assert.equal(rt.$len(2n ** 32n, 2 ** 32, W, K), 2 ** 32);
  bad(() => rt.$len(2n ** 32n + 1n, 2 ** 32, W, K), `ecall f: x: expected a size from 0 to 4294967296 bytes (maxBufferBytes), got ${2n ** 32n + 1n}n`);
  assert.equal(rt.$elems(3, 4, 2, 12, W, K), 6);
  bad(() => rt.$elems(3, 5, 1, 12, W, K), 'ecall f: x: expected at most 12 bytes (maxBufferBytes), got 15');
  bad(() => rt.$elems(3, 3, 2, 12, W, K), 'ecall f: x: expected a whole number of 2-byte elements, got 9');
});

test('runtime: size arithmetic helpers: $bi, $div, $count', () => {
  assert.equal(rt.$bi(5, W, K), 5n);
  assert.equal(rt.$bi(5n, W, K), 5n);
  bad(() => rt.$bi(1.5, W, K), 'ecall f: x: expected an integer, got 1.5');
  bad(() => rt.$bi('5', W, K), 'ecall f: x: expected an integer, got "5"');
  assert.equal(rt.$div(7n, 2n, '/'), 3n);
  assert.equal(rt.$div(7n, 2n, '%'), 1n);
  assert.equal(rt.$div(7n, 0n, '/'), -1n);
  assert.equal(rt.$div(7n, 0n, '%'), -1n);
  assert.equal(rt.$count(new Uint16Array(3)), 3);
  assert.equal(rt.$count([1, 2]), 2);
  assert.ok(Number.isNaN(rt.$count(new DataView(new ArrayBuffer(2)))));
  assert.ok(Number.isNaN(rt.$count('abc')));
});

test('runtime: $none, $void and $args', () => {
  rt.$none(null, W, K);
  rt.$none(undefined, W, K);
  bad(() => rt.$none(0, W, K), 'ecall f: x: expected null (an [out] parameter carries nothing in), got 0');
  rt.$void(undefined, W, '');
  bad(() => rt.$void(1, 'ecall f result', ''), 'ecall f result: expected nothing (the function returns void), got 1');
  rt.$args([1], 1, W);
  bad(() => rt.$args([], 1, W), 'ecall f: expected 1 argument, got 0');
  bad(() => rt.$args([1], 2, W), 'ecall f: expected 2 arguments, got 1');
});

test('runtime: $show describes values without their contents', () => {
  assert.equal(rt.$show('x'.repeat(40)), JSON.stringify('x'.repeat(40)));
  assert.equal(rt.$show('x'.repeat(41)), 'a string of 41 characters');
  assert.equal(rt.$show(new Float64Array(2)), 'Float64Array of 16 bytes');
  assert.equal(rt.$show(Symbol('s')), 'symbol');
  assert.equal(rt.$show({ secret: 1 }), 'object');
  assert.equal(rt.$show(undefined), 'undefined');
  bad(() => rt.$bad('ocall g', ': y', 'something', 3n), 'ocall g: y: expected something, got 3n');
});
