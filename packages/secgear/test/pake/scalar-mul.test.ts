import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { P256_SHA256, P384_SHA256 } from '../../src/pake/index.js';
import { invertBatch, normalize } from '../../src/pake/affine.js';
import { blindedInverse, fieldPower, powMod } from '../../src/pake/field-power.js';
import { recoverPair, rootOfRhs } from '../../src/pake/point-recovery.js';
import { W0Keys, lPoints } from '../../src/pake/record-keys.js';
import { SecretScalar, multiplyBase } from '../../src/pake/scalar-mul.js';
import { computeShareP, proverPointsUpToSign, verifierPoints } from '../../src/pake/shares.js';

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

  test(`${suite.name}: field inverses and square roots (OpenSSL and BigInt fallbacks) agree`, () => {
    const power = fieldPower(Fp.ORDER);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: Fp.ORDER - 1n }), (v) => {
        assert.equal(Fp.mul(power.inv(v), v), 1n);
        assert.equal(blindedInverse(v, Fp.ORDER), power.inv(v));
        assert.equal(power.sqrt(v), powMod(v, (Fp.ORDER + 1n) / 4n, Fp.ORDER));
      }),
      { numRuns: 30 },
    );
    assert.throws(() => power.inv(0n));
    assert.throws(() => blindedInverse(Fp.ORDER, Fp.ORDER));
  });

  test(`${suite.name}: batched inversion and normalize match noble`, () => {
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

  test(`${suite.name}: recoverPair finds both signs from x(Q1), x(Q2), x(Q1+Q2+K)`, () => {
    fc.assert(
      fc.property(scalar, scalar, scalar, (q1, q2, k) => {
        // degenerate pairs (Q1 = ±Q2, ±Q1 ±Q2 = ±K, K = ±Q1 or ±Q2, where x(Q1+Q2+K) is also the
        // x of another sign choice) are refused: the next test
        const n = suite.order;
        const mod = (v: bigint) => ((v % n) + n) % n;
        fc.pre(mod(q1 - q2) !== 0n && mod(q1 + q2) !== 0n);
        for (const q of [q1, q2]) fc.pre(mod(k - q) !== 0n && mod(k + q) !== 0n);
        for (const s1 of [1n, -1n]) for (const s2 of [1n, -1n]) fc.pre(mod(s1 * q1 + s2 * q2 - k) !== 0n && mod(s1 * q1 + s2 * q2 + k) !== 0n);
        const [Q1, Q2, K] = [G.multiply(q1), G.multiply(q2), G.multiply(k)];
        const pair = recoverPair(suite, { x1: x(Q1), x2: x(Q2), x3: x(Q1.add(Q2).add(K)) }, normalize(suite, [K]).points[0]);
        assert.ok(pair);
        assert.ok(pair[0].equals(Q1) && pair[1].equals(Q2));
      }),
      { numRuns: 20 },
    );
  });

  test(`${suite.name}: recoverPair refuses degenerate pairs instead of guessing; bad x is a fault`, () => {
    const Q = G.multiply(7n);
    const K = normalize(suite, [G.multiply(11n)]).points[0];
    assert.equal(recoverPair(suite, { x1: x(Q), x2: x(Q), x3: x(Q.double().add(K)) }, K), undefined); // Q1 = Q2
    const Q2 = K.subtract(Q);
    assert.equal(recoverPair(suite, { x1: x(Q), x2: x(Q2), x3: x(K.double()) }, K), undefined); // Q1 + Q2 = K
    const R = G.multiply(5n);
    assert.equal(recoverPair(suite, { x1: x(Q), x2: x(R), x3: x(R) }, normalize(suite, [Q.negate()]).points[0]), undefined); // K = -Q1
    // an x with f(x) not a square is no curve point's x-coordinate
    const { a, b } = suite.Point.CURVE();
    const isSquare = (v: bigint) => powMod(v, (Fp.ORDER - 1n) / 2n, Fp.ORDER) !== Fp.ORDER - 1n;
    let bad = 1n;
    while (isSquare(Fp.add(Fp.mul(Fp.add(Fp.sqr(bad), a), bad), b))) bad++;
    assert.throws(() => rootOfRhs(suite, bad), /not an x-coordinate/);
  });

  test(`${suite.name}: shares, Z and V agree with the RFC formulas, also for T = ±G, L = ±G, T = ±(L ± G)`, () => {
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
      const p = proverPointsUpToSign(suite, { x: new SecretScalar(suite, xs), w0: w0k, w1: new SecretScalar(suite, w1), Y });
      const Tp = Y.subtract(suite.N.multiply(w0));
      for (const [xq, yq, Q] of [[p.xZ, p.yZ, Tp.multiply(xs)], [p.xV, p.yV, Tp.multiply(w1)]] as const) {
        const { x: qx, y: qy } = Q.toAffine();
        assert.ok(xq === qx && (yq === qy || yq === Fp.ORDER - qy));
      }
      for (const P of [v.Z, v.V, v.shareV]) assert.equal(P.Z, 1n);
    };
    fc.assert(fc.property(scalar, scalar, scalar, scalar, (a, b, c, d) => check(a, b, c, d)), { numRuns: 5 });
    const n = suite.order;
    check(3n, 4n, 5n, 1n); // L = G
    check(3n, 4n, 5n, n - 1n); // L = -G
    check(3n, 4n, 5n, 6n, 1n); // T = G on both sides
    check(3n, 4n, 5n, 6n, n - 1n); // T = -G
    check(3n, 4n, 5n, 6n, 7n); // T = L + G: the verifier's pair is degenerate
    check(3n, 4n, 5n, 6n, n - 7n); // T = -(L + G): T + L + G is the identity
    check(3n, 4n, 5n, 6n, 5n); // T = L - G
  });
}

test('bytesToBigInt and bigIntToBytes round-trip at every length, leading zeros included', async () => {
  const { bytesToBigInt, bigIntToBytes } = await import('../../src/pake/encoding.js');
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (bytes) => {
      const value = bytesToBigInt(bytes);
      assert.equal(value, bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex')));
      if (bytes.length > 0) assert.deepEqual(bigIntToBytes(value, bytes.length), bytes);
    }),
    { numRuns: 200 },
  );
});

test('random scalars: key objects come back overwritten and are never shared between live scalars', () => {
  for (const suite of [P256_SHA256, P384_SHA256]) {
    const first = SecretScalar.random(suite);
    const k1 = first.k;
    const R1 = first.base();
    first.forget();
    assert.throws(() => first.x(suite.M.toBytes(false)), /after forget/);
    const live = [SecretScalar.random(suite), SecretScalar.random(suite), SecretScalar.random(suite)];
    const ks = live.map((s) => s.k);
    assert.equal(new Set([k1, ...ks]).size, 4, 'a reused key object carries a new key');
    live.forEach((s, i) => assert.ok(s.base().equals(suite.Point.BASE.multiply(ks[i]))));
    assert.ok(!live.some((s) => s.base().equals(R1)));
    live.forEach((s) => s.forget());
  }
});
