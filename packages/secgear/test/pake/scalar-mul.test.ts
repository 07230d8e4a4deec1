import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { P256_SHA256, P384_SHA256 } from '../../src/pake/index.js';
import { invertBatch, normalize } from '../../src/pake/affine.js';
import { pointFromX, twoY } from '../../src/pake/point-recovery.js';
import { W0Keys, W1Keys, lPoints } from '../../src/pake/record-keys.js';
import { SecretScalar, multiplyBase } from '../../src/pake/scalar-mul.js';
import { computeShareP, proverPoints, verifierPoints } from '../../src/pake/shares.js';

for (const suite of [P256_SHA256, P384_SHA256]) {
  const scalar = fc.bigInt({ min: 1n, max: suite.order - 1n });
  const G = suite.Point.BASE;
  const Fp = suite.Point.Fp;
  const x = (P: typeof G) => P.toAffine().x;

  test(`${suite.name}: k*G and x(k*T) from OpenSSL agree with noble's reference multiply`, () => {
    fc.assert(
      fc.property(scalar, scalar, (k, t) => {
        const T = G.multiply(t);
        const key = new SecretScalar(suite, k);
        assert.ok(key.base().equals(G.multiply(k)));
        assert.ok(multiplyBase(suite, k).equals(G.multiply(k)));
        assert.equal(key.x(T.toBytes(false)), x(T.multiply(k)));
        assert.ok(key.times(T).equals(T.multiply(k)));
      }),
      { numRuns: 10 },
    );
  });

  test(`${suite.name}: batched, blinded inversion and normalize match noble`, () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: Fp.ORDER - 1n }), { minLength: 1, maxLength: 6 }), (values) => {
        invertBatch(suite, values).forEach((inv, i) => assert.equal(Fp.mul(inv, values[i]), 1n));
      }),
      { numRuns: 30 },
    );
    assert.deepEqual(invertBatch(suite, [1n, Fp.ORDER - 1n]), [1n, Fp.ORDER - 1n]);
    assert.throws(() => invertBatch(suite, [5n, 0n]));
    fc.assert(
      fc.property(fc.array(scalar, { minLength: 1, maxLength: 4 }), (ks) => {
        const points = ks.map((k) => G.multiply(k).add(suite.M)); // projective, Z != 1
        const { points: affine, inverses } = normalize(suite, points, [7n]);
        assert.equal(Fp.mul(inverses[0], 7n), 1n);
        affine.forEach((p, i) => {
          assert.equal(p.Z, 1n);
          assert.deepEqual(p.toAffine(), points[i].toAffine());
        });
      }),
      { numRuns: 10 },
    );
  });

  test(`${suite.name}: pointFromX recovers k*T from x(k*T), x(k*(T+G)) and k*G`, () => {
    fc.assert(
      fc.property(scalar, scalar, (k, t) => {
        fc.pre(t !== 1n && t !== suite.order - 1n);
        const T = G.multiply(t);
        const R = normalize(suite, [G.multiply(k)]).points[0];
        const [inv] = invertBatch(suite, [twoY(suite, R)]);
        const Q = pointFromX(suite, x(T.multiply(k)), x(T.add(G).multiply(k)), R, inv);
        assert.ok(Q.equals(T.multiply(k)));
      }),
      { numRuns: 20 },
    );
    // inconsistent inputs (a fault) never yield an off-curve point
    const R = normalize(suite, [G.multiply(5n)]).points[0];
    const [inv] = invertBatch(suite, [twoY(suite, R)]);
    assert.throws(() => pointFromX(suite, x(G.multiply(9n)), x(G.multiply(99n)), R, inv), /not on the curve/);
  });

  test(`${suite.name}: shares, Z and V agree with the RFC formulas, also for T = ±G and L = ±G`, () => {
    const check = (xs: bigint, ys: bigint, w0: bigint, w1: bigint, forceT?: bigint) => {
      const w0k = new W0Keys(suite, w0);
      assert.ok(w0k.w0M.equals(suite.M.multiply(w0)) && w0k.w0N.equals(suite.N.multiply(w0)));
      const X = forceT === undefined ? computeShareP(suite, new SecretScalar(suite, xs), w0k) : G.multiply(forceT).add(suite.M.multiply(w0));
      const L = G.multiply(w1);
      const v = verifierPoints(suite, { y: new SecretScalar(suite, ys), w0: w0k, L: lPoints(suite, L.toBytes(false)), X });
      const Tv = X.subtract(suite.M.multiply(w0));
      assert.ok(v.Z.equals(Tv.multiply(ys)) && v.V.equals(L.multiply(ys)));
      assert.ok(v.shareV.equals(G.multiply(ys).add(suite.N.multiply(w0))));
      const Y = forceT === undefined ? v.shareV : G.multiply(forceT).add(suite.N.multiply(w0));
      const p = proverPoints(suite, { x: new SecretScalar(suite, xs), w0: w0k, w1: new W1Keys(suite, w1), Y });
      const Tp = Y.subtract(suite.N.multiply(w0));
      assert.ok(p.Z.equals(Tp.multiply(xs)) && p.V.equals(Tp.multiply(w1)));
      for (const P of [p.Z, p.V, v.Z, v.V, v.shareV]) assert.equal(P.Z, 1n);
    };
    fc.assert(fc.property(scalar, scalar, scalar, scalar, (a, b, c, d) => check(a, b, c, d)), { numRuns: 5 });
    const n = suite.order;
    check(3n, 4n, 5n, 1n); // L = G
    check(3n, 4n, 5n, n - 1n); // L = -G
    check(3n, 4n, 5n, 6n, 1n); // T = G on both sides
    check(3n, 4n, 5n, 6n, n - 1n); // T = -G
  });
}
