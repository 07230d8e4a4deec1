// The prover settles the signs of Z and V by the verifier's confirmation (prover-schedule.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../../src/common/bytes.js';
import { P256_SHA256 } from '../../src/pake/index.js';
import { decodePoint, encodePoint } from '../../src/pake/encoding.js';
import { keySchedule } from '../../src/pake/key-schedule.js';
import { proverSchedule } from '../../src/pake/prover-schedule.js';
import { vectorPath } from '../support/paths.js';

const suite = P256_SHA256;
const v = (JSON.parse(readFileSync(vectorPath('spake2/rfc9383-spake2plus-p256-sha256.json'), 'utf8')) as { vectors: Record<string, string>[] }).vectors[0];
const hex = (name: string) => fromHex(v[name]);
const enc = new TextEncoder();
const t = {
  context: enc.encode(v.context),
  idProver: enc.encode(v.idProver),
  idVerifier: enc.encode(v.idVerifier),
  shareP: hex('shareP'),
  shareV: hex('shareV'),
  w0: hex('w0'),
};
const Z = decodePoint(suite, hex('Z'), 'Z').toAffine();
const V = decodePoint(suite, hex('V'), 'V').toAffine();
const p = suite.Point.Fp.ORDER;

test('whichever root of y the prover holds, the true transcript is found and gives the RFC keys', () => {
  for (const yZ of [Z.y, p - Z.y]) {
    for (const yV of [V.y, p - V.y]) {
      const keys = proverSchedule(suite, t, { xZ: Z.x, yZ, xV: V.x, yV }, hex('confirmV'));
      assert.ok(keys);
      assert.equal(toHex(keys.confirmP), v.confirmP);
      assert.equal(toHex(keys.K_shared), v.K_shared);
    }
  }
});

test('a confirmV that fits none of the four transcripts gives no keys', () => {
  const points = { xZ: Z.x, yZ: Z.y, xV: V.x, yV: V.y };
  const tampered = hex('confirmV');
  tampered[5] ^= 1;
  assert.equal(proverSchedule(suite, t, points, tampered), undefined);
  assert.equal(proverSchedule(suite, t, points, new Uint8Array(32)), undefined);
  assert.equal(proverSchedule(suite, t, points, new Uint8Array(31)), undefined);
  // the same tag for another w0 (another password): none of the four transcripts fits
  assert.equal(proverSchedule(suite, { ...t, w0: hex('w1') }, points, hex('confirmV')), undefined);
});

test('a tag made over a sign variant (-Z, V) is accepted, with that variant\'s keys (documented)', () => {
  const minusZ = suite.Point.fromAffine({ x: Z.x, y: p - Z.y });
  const variant = keySchedule(suite, { ...t, Z: encodePoint(minusZ), V: hex('V') });
  const keys = proverSchedule(suite, t, { xZ: Z.x, yZ: Z.y, xV: V.x, yV: V.y }, variant.confirmV);
  assert.ok(keys);
  assert.deepEqual(keys.K_shared, variant.K_shared);
  assert.notEqual(toHex(keys.K_shared), v.K_shared);
});
