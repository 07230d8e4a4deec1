import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../src/common/bytes.js';
import { ErrorCode, isSecGearError } from '../../../src/common/errors.js';
import { CborTag, cborItemEnd, decodeCbor, encodeCbor, type CborValue } from '../../../src/attest/cose/index.js';
import { assertParsesOrRejects } from '../parser-properties.js';

const invalid = (error: unknown) => isSecGearError(error, ErrorCode.INVALID_EVIDENCE);

// RFC 8949 Appendix A (the definite-length, non-float-special subset)
const APPENDIX_A: [string, CborValue][] = [
  ['00', 0],
  ['01', 1],
  ['0a', 10],
  ['17', 23],
  ['1818', 24],
  ['1819', 25],
  ['1864', 100],
  ['1903e8', 1000],
  ['1a000f4240', 1000000],
  ['1b000000e8d4a51000', 1000000000000],
  ['1bffffffffffffffff', 18446744073709551615n],
  ['3bffffffffffffffff', -18446744073709551616n],
  ['20', -1],
  ['29', -10],
  ['3863', -100],
  ['3903e7', -1000],
  ['f4', false],
  ['f5', true],
  ['f6', null],
  ['f7', undefined],
  ['c074323031332d30332d32315432303a30343a30305a', new CborTag(0, '2013-03-21T20:04:00Z')],
  ['d74401020304', new CborTag(23, fromHex('01020304'))],
  ['40', new Uint8Array(0)],
  ['4401020304', fromHex('01020304')],
  ['60', ''],
  ['6161', 'a'],
  ['6449455446', 'IETF'],
  ['62225c', '"\\'],
  ['62c3bc', '\u00fc'],
  ['63e6b0b4', '\u6c34'],
  ['80', []],
  ['83010203', [1, 2, 3]],
  ['8301820203820405', [1, [2, 3], [4, 5]]],
  ['a0', new Map()],
  ['a201020304', new Map([[1, 2], [3, 4]])],
  ['a26161016162820203', new Map<string, CborValue>([['a', 1], ['b', [2, 3]]])],
  ['826161a161626163', ['a', new Map([['b', 'c']])]],
];

describe('CBOR decoder and encoder', () => {
  it('decodes and re-encodes every RFC 8949 Appendix A example it supports', () => {
    for (const [hex, value] of APPENDIX_A) {
      assert.deepEqual(decodeCbor(fromHex(hex)), value, hex);
      assert.equal(toHex(encodeCbor(value)), hex, `encode ${hex}`);
    }
  });

  it('decodes floats (half, single, double)', () => {
    assert.equal(decodeCbor(fromHex('f93e00')), 1.5);
    assert.equal(decodeCbor(fromHex('f97bff')), 65504);
    assert.equal(decodeCbor(fromHex('fa47c35000')), 100000);
    assert.equal(decodeCbor(fromHex('fb3ff199999999999a')), 1.1);
    assert.equal(decodeCbor(fromHex('f97c00')), Infinity);
  });

  it('rejects what a strict evidence decoder must reject, naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['5f42010243030405ff', /indefinite-length/],
      ['9fff', /indefinite-length/],
      ['ff', /unexpected break/],
      ['a20102010a', /duplicate map key 1/],
      ['a1800a', /map key is not an integer or a text string/],
      ['62c328', /not valid UTF-8/],
      ['5a00000010', /exceeds/],
      ['9bffffffffffffffff', /exceeds/],
      ['1c', /reserved additional information/],
      ['0000', /trailing bytes/],
      ['19', /truncated header/],
      ['', /unexpected end of input/],
      ['f8ff', /unsupported simple value/],
    ];
    for (const [hex, message] of cases) {
      assert.throws(() => decodeCbor(fromHex(hex)), (e: unknown) => invalid(e) && message.test((e as Error).message), hex);
    }
    const deep = new Uint8Array(40).fill(0x81);
    assert.throws(() => decodeCbor(new Uint8Array([...deep, 0x00])), /nesting deeper than 32/);
  });

  it('finds the end of an item (used to hash exact claim bytes)', () => {
    const bytes = fromHex('8301820203820405ff');
    assert.equal(cborItemEnd(bytes, 0), 8);
  });

  const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
      fc.bigInt({ min: -(2n ** 64n), max: -(2n ** 53n) }),
      fc.string(),
      fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom(true, false, null, undefined),
      fc.array(tie('v'), { maxLength: 5 }),
      fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -1000, max: 100000 }), fc.string()), tie('v')), { selector: (e) => e[0], maxLength: 5 }).map((entries) => new Map(entries)),
      fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), tie('v')).map(([tag, inner]) => new CborTag(tag, inner)),
    ),
  })).v;

  it('property: decode(encode(v)) = v', () => {
    fc.assert(
      fc.property(value, (v) => {
        assert.deepEqual(decodeCbor(encodeCbor(v)), v);
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  it('property: arbitrary bytes decode or fail with CC_ERROR_INVALID_EVIDENCE, never anything else', () => {
    assertParsesOrRejects(decodeCbor, fc.uint8Array({ maxLength: 200 }), { seed: 2, numRuns: 3000 });
  });

  it('property: every proper prefix of an encoding is rejected', () => {
    fc.assert(
      fc.property(value, fc.nat(), (v, cut) => {
        const bytes = encodeCbor(v);
        const prefix = bytes.subarray(0, cut % bytes.byteLength);
        assert.throws(() => decodeCbor(prefix), invalid);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
