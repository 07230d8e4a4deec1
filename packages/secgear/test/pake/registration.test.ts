import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import fc from 'fast-check';
import { toHex } from '../../src/common/bytes.js';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';
import {
  DEFAULT_SCRYPT,
  P256_SHA256,
  P384_SHA256,
  computeVerifierRecord,
  deriveProverSecrets,
  randomSalt,
} from '../../src/pake/index.js';

const FAST = { N: 1024, r: 8, p: 1 };
const salt = new Uint8Array(16).fill(7);
const code = (c: string) => (e: unknown) => e instanceof SecGearError && e.code === c;

/** The RFC 9383 §3.2 input, built independently of the implementation. */
function expected(pw: Buffer, idP: Buffer, idV: Buffer, params: typeof FAST, wsLength: number, order: bigint) {
  const parts: Buffer[] = [];
  for (const s of [pw, idP, idV]) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(s.length));
    parts.push(len, s);
  }
  const out = scryptSync(Buffer.concat(parts), salt, 2 * wsLength, { ...params, maxmem: 64 * 1024 * 1024 });
  const w0 = BigInt('0x' + out.subarray(0, wsLength).toString('hex')) % order;
  const w1 = BigInt('0x' + out.subarray(wsLength).toString('hex')) % order;
  return { w0, w1 };
}

test('w0, w1 = scrypt(len(pw)||pw||len(idP)||idP||len(idV)||idV) halves mod p, for both suites', async () => {
  for (const suite of [P256_SHA256, P384_SHA256]) {
    const s = await deriveProverSecrets('correct horse', { idProver: 'device-1', idVerifier: 'cloud', salt, kdf: FAST, suite });
    const e = expected(Buffer.from('correct horse'), Buffer.from('device-1'), Buffer.from('cloud'), FAST, suite.wsLength, suite.order);
    assert.equal(s.suite, suite.name);
    assert.equal(s.w0.byteLength, suite.scalarLength);
    assert.equal(toHex(s.w0), e.w0.toString(16).padStart(2 * suite.scalarLength, '0'));
    assert.equal(toHex(s.w1), e.w1.toString(16).padStart(2 * suite.scalarLength, '0'));
  }
});

test('absent identities enter as zero-length strings', async () => {
  const s = await deriveProverSecrets(new Uint8Array([1, 2, 3]), { salt, kdf: FAST });
  const e = expected(Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.alloc(0), FAST, 40, P256_SHA256.order);
  assert.equal(toHex(s.w0), e.w0.toString(16).padStart(64, '0'));
});

test('every input changes the secrets; string passwords are NFC-normalized', async () => {
  const base = { idProver: 'a', idVerifier: 'b', salt, kdf: FAST };
  const ref = toHex((await deriveProverSecrets('pässword', base)).w0);
  assert.equal(toHex((await deriveProverSecrets('pa\u0308ssword', base)).w0), ref, 'NFD and NFC spellings agree');
  const variants = [
    deriveProverSecrets('password', base),
    deriveProverSecrets('pässword', { ...base, idProver: 'c' }),
    deriveProverSecrets('pässword', { ...base, idVerifier: 'c' }),
    deriveProverSecrets('pässword', { ...base, salt: new Uint8Array(16).fill(8) }),
    deriveProverSecrets('pässword', { ...base, kdf: { N: 2048 } }),
    // moving a byte between fields must change the result: the length prefixes separate them
    deriveProverSecrets('pässwor', { ...base, idProver: 'da' }),
  ];
  for (const v of await Promise.all(variants)) assert.notEqual(toHex(v.w0), ref);
});

test('the RFC-recommended default parameters are (32768, 8, 1) and work', async () => {
  assert.deepEqual({ ...DEFAULT_SCRYPT }, { N: 32768, r: 8, p: 1 });
  const s = await deriveProverSecrets('pw', { salt });
  const e = expected(Buffer.from('pw'), Buffer.alloc(0), Buffer.alloc(0), { N: 32768, r: 8, p: 1 }, 40, P256_SHA256.order);
  assert.equal(toHex(s.w1), e.w1.toString(16).padStart(64, '0'));
});

test('bad registration input is CC_ERROR_BAD_PARAMETERS, never a crash', async () => {
  const bad: Array<[unknown, unknown]> = [
    ['pw', { salt: new Uint8Array(15) }],
    ['pw', { salt: 'not bytes' }],
    ['pw', {}],
    ['pw', null],
    ['', { salt }],
    [new Uint8Array(0), { salt }],
    [42, { salt }],
    ['pw', { salt, idProver: 5 }],
    ['pw', { salt, kdf: { N: 1000 } }],
    ['pw', { salt, kdf: { N: 1 } }],
    ['pw', { salt, kdf: { N: 1 << 23 } }],
    ['pw', { salt, kdf: { r: 0 } }],
    ['pw', { salt, kdf: { p: 1.5 } }],
    ['pw', { salt, kdf: { N: 1 << 22, r: 64 } }],
  ];
  for (const [pw, opts] of bad) {
    await assert.rejects(deriveProverSecrets(pw as never, opts as never), code(ErrorCode.BAD_PARAMETERS), JSON.stringify(opts));
  }
  await assert.rejects(deriveProverSecrets('pw', { salt, suite: 'nope' as never }), code(ErrorCode.NOT_SUPPORTED));
});

test('randomSalt gives fresh bytes of the asked length and refuses short salts', () => {
  assert.equal(randomSalt().byteLength, 32);
  assert.notEqual(toHex(randomSalt(16)), toHex(randomSalt(16)));
  assert.throws(() => randomSalt(8), code(ErrorCode.BAD_PARAMETERS));
});

test('computeVerifierRecord: L = w1*P, w0 copied; invalid scalars refused', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: P256_SHA256.order - 1n }), fc.bigInt({ min: 1n, max: P256_SHA256.order - 1n }), (w0, w1) => {
      const enc = (n: bigint) => new Uint8Array(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
      const record = computeVerifierRecord(enc(w0), enc(w1));
      assert.equal(record.suite, P256_SHA256.name);
      assert.deepEqual(record.w0, enc(w0));
      assert.equal(toHex(record.L), P256_SHA256.Point.BASE.multiply(w1).toHex(false));
    }),
    { numRuns: 20 },
  );
  const ok = new Uint8Array(32).fill(1);
  const order = new Uint8Array(Buffer.from(P256_SHA256.order.toString(16), 'hex'));
  for (const [w0, w1] of [
    [new Uint8Array(32), ok],
    [ok, new Uint8Array(32)],
    [ok, order],
    [ok, new Uint8Array(31).fill(1)],
    [new Uint8Array(48).fill(1), ok],
  ]) {
    assert.throws(() => computeVerifierRecord(w0, w1), code(ErrorCode.BAD_PARAMETERS));
  }
  // a P-256 sized scalar is the wrong size for P-384
  assert.throws(() => computeVerifierRecord(ok, ok, { suite: P384_SHA256 }), code(ErrorCode.BAD_PARAMETERS));
});
