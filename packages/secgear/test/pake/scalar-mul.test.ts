import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { P256_SHA256, P384_SHA256 } from '../../src/pake/index.js';
import { multiply, multiplyBase } from '../../src/pake/scalar-mul.js';

for (const suite of [P256_SHA256, P384_SHA256]) {
  const scalar = fc.bigInt({ min: 1n, max: suite.order - 1n });
  const G = suite.Point.BASE;

  test(`${suite.name}: k*T and k*G agree with noble's reference multiply`, () => {
    fc.assert(
      fc.property(scalar, scalar, (k, t) => {
        const T = G.multiply(t);
        assert.ok(multiply(suite, T, k).equals(T.multiply(k)));
        assert.ok(multiplyBase(suite, k).equals(G.multiply(k)));
      }),
      { numRuns: 25 },
    );
  });

  test(`${suite.name}: degenerate inputs (T = ±G, Q = ±R, extreme scalars) still multiply correctly`, () => {
    for (const T of [G, G.negate(), G.double(), G.multiply(suite.order - 2n)]) {
      for (const k of [1n, 2n, suite.order - 1n, suite.order - 2n, 0x1234567n]) {
        assert.ok(multiply(suite, T, k).equals(T.multiply(k)), `T=${T.toHex()} k=${k}`);
      }
    }
  });
}
