import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';
import { P256_SHA256, P384_SHA256, SUITES, resolveSuite, type Suite } from '../../src/pake/index.js';

/**
 * RFC 9382 §6 / RFC 9383 Appendix A point generation, written from the text: block i is SHA-256
 * applied i times to the seed string; a compressed-point-sized string is cut from blocks
 * start, start+1, ...; its first byte becomes 0x02 | (b & 1); the first start that decodes to a
 * point of order p wins.
 */
function generatePoint(suite: Suite, seed: string): string {
  const size = 1 + suite.scalarLength;
  const iterated = (n: number) => {
    let h: Uint8Array = new TextEncoder().encode(seed);
    for (let i = 0; i < n; i++) h = createHash('sha256').update(h).digest();
    return h;
  };
  for (let start = 1; start < 1000; start++) {
    const blocks: Uint8Array[] = [];
    for (let i = start; blocks.length * 32 < size; i++) blocks.push(iterated(i));
    const candidate = Buffer.concat(blocks).subarray(0, size);
    candidate[0] = (candidate[0] & 1) | 2;
    try {
      const p = suite.Point.fromBytes(candidate);
      // (p-1)*P = -P  <=>  p*P = I; noble refuses the scalar p itself
      if (!p.is0() && p.multiplyUnsafe(suite.order - 1n).equals(p.negate())) return candidate.toString('hex');
    } catch {
      // not an x-coordinate on the curve: try the next start
    }
  }
  throw new Error('no point found');
}

test('M and N are the RFC 9382 points, re-derived from their seeds', () => {
  const oids = new Map([
    [P256_SHA256, '1.2.840.10045.3.1.7'],
    [P384_SHA256, '1.3.132.0.34'],
  ]);
  for (const [suite, oid] of oids) {
    assert.equal(suite.M.toHex(true), generatePoint(suite, `${oid} point generation seed (M)`), `${suite.name} M`);
    assert.equal(suite.N.toHex(true), generatePoint(suite, `${oid} point generation seed (N)`), `${suite.name} N`);
  }
});

test('suite lengths follow from the curves', () => {
  assert.equal(P256_SHA256.pointLength, 65);
  assert.equal(P256_SHA256.scalarLength, 32);
  assert.equal(P256_SHA256.wsLength, 40); // RFC 9383 §3.2: 80 bytes of PBKDF output for P-256
  assert.equal(P384_SHA256.pointLength, 97);
  assert.equal(P384_SHA256.wsLength, 56);
  for (const s of SUITES) assert.equal(s.cofactor, 1n);
});

test('resolveSuite by object, name and id; unknown suites are CC_ERROR_NOT_SUPPORTED', () => {
  assert.equal(resolveSuite(), P256_SHA256);
  assert.equal(resolveSuite(P384_SHA256), P384_SHA256);
  assert.equal(resolveSuite('SPAKE2+-P384-SHA256-HKDF-SHA256-HMAC-SHA256'), P384_SHA256);
  assert.equal(resolveSuite(0x01), P256_SHA256);
  for (const bad of ['SPAKE2+-P521-SHA512-HKDF-SHA512-HMAC-SHA512', 0x7f, { ...P256_SHA256 }] as const) {
    assert.throws(() => resolveSuite(bad as never), (e) => e instanceof SecGearError && e.code === ErrorCode.NOT_SUPPORTED);
  }
});
