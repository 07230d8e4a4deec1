import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../src/common/bytes.js';
import { ErrorCode } from '../../src/common/errors.js';
import {
  P256_SHA256,
  P384_SHA256,
  Prover,
  Verifier,
  computeVerifierRecord,
  deriveProverSecrets,
  encodeMessage,
  type Suite,
} from '../../src/pake/index.js';
import { bytesToBigInt, decodePoint, encodePoint } from '../../src/pake/encoding.js';
import { keySchedule } from '../../src/pake/key-schedule.js';
import { isCode, pair, secretsFromSeed } from './helpers.js';

const SUITES: Suite[] = [P256_SHA256, P384_SHA256];

/**
 * Message 3 as an attacker who believes `secrets` computes it by the RFC formulas (noble's
 * reference arithmetic), after sending shareP through `respond` and reading shareV back.
 */
function forgeConfirmP(suite: Suite, secrets: { w0: Uint8Array; w1: Uint8Array }, ids: { idProver: Uint8Array; idVerifier: string }, respond: (shareP: Uint8Array) => Uint8Array): Uint8Array {
  const x = 0x1234567n;
  const w0 = bytesToBigInt(secrets.w0);
  const shareP = encodePoint(suite.Point.BASE.multiply(x).add(suite.M.multiply(w0)));
  const shareV = respond(shareP).subarray(3, 3 + suite.pointLength);
  const T = decodePoint(suite, shareV, 'shareV').subtract(suite.N.multiply(w0));
  const enc = new TextEncoder();
  const schedule = keySchedule(suite, {
    context: new Uint8Array(0),
    idProver: ids.idProver,
    idVerifier: enc.encode(ids.idVerifier),
    shareP,
    shareV,
    Z: encodePoint(T.multiply(x)),
    V: encodePoint(T.multiply(bytesToBigInt(secrets.w1))),
    w0: secrets.w0,
  });
  return encodeMessage({ type: 'CONFIRM_P', suite, confirmP: schedule.confirmP });
}
const FAST = { N: 256, r: 8, p: 1 };

for (const suite of SUITES) {
  test(`${suite.name}: random passwords and identities, prover and verifier agree on a fresh key`, async () => {
    const salt = new Uint8Array(16).fill(3);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ maxLength: 24 }),
        fc.string({ maxLength: 24 }),
        fc.uint8Array({ maxLength: 64 }),
        async (password, idProver, idVerifier, context) => {
          const secrets = await deriveProverSecrets(password, { idProver, idVerifier, salt, kdf: FAST, suite });
          const record = computeVerifierRecord(secrets.w0, secrets.w1, { suite });
          const prover = new Prover({ ...secrets, idProver, idVerifier, context });
          const verifier = new Verifier({ record, idProver, idVerifier, context });
          const { message, sharedKey } = prover.finish(verifier.respond(prover.start()));
          const result = verifier.finish(message);
          assert.equal(sharedKey.byteLength, 32);
          assert.deepEqual(result.sharedKey, sharedKey);
        },
      ),
      { numRuns: 12 },
    );
  });

  test(`${suite.name}: random passwords and identities, a wrong password never agrees (either side)`, async () => {
    const salt = new Uint8Array(16).fill(4);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 24 }),
        fc.string({ minLength: 1, maxLength: 24 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.string({ maxLength: 16 }),
        async (password, guess, idProver, idVerifier) => {
          fc.pre(password.normalize('NFC') !== guess.normalize('NFC'));
          const ids = { idProver, idVerifier };
          const real = await deriveProverSecrets(password, { ...ids, salt, kdf: FAST, suite });
          const wrong = await deriveProverSecrets(guess, { ...ids, salt, kdf: FAST, suite });
          const record = computeVerifierRecord(real.w0, real.w1, { suite });
          const prover = new Prover({ ...wrong, ...ids });
          const verifier = new Verifier({ record, ...ids });
          const m2 = verifier.respond(prover.start());
          assert.throws(() => prover.finish(m2), isCode(ErrorCode.CONFIRMATION_FAILED));
          // and the verifier refuses the confirmation an attacker computes from the guessed password
          const v2 = new Verifier({ record, ...ids });
          const forged = forgeConfirmP(suite, wrong, ids, (shareP) => v2.respond(encodeMessage({ type: 'SHARE_P', suite, shareP })));
          assert.throws(() => v2.finish(forged), isCode(ErrorCode.CONFIRMATION_FAILED));
        },
      ),
      { numRuns: 6 },
    );
  });

  test(`${suite.name}: the attacker's confirmP of the test above is accepted when the password is right`, async () => {
    const ids = { idProver: new Uint8Array([1, 2]), idVerifier: 'svc' };
    const real = await deriveProverSecrets('right', { ...ids, salt: new Uint8Array(16), kdf: FAST, suite });
    const verifier = new Verifier({ record: computeVerifierRecord(real.w0, real.w1, { suite }), ...ids });
    const confirmP = forgeConfirmP(suite, real, ids, (shareP) => verifier.respond(encodeMessage({ type: 'SHARE_P', suite, shareP })));
    assert.equal(verifier.finish(confirmP).sharedKey.byteLength, 32);
  });

  test(`${suite.name}: two runs with the same record give different keys (fresh randomness)`, () => {
    const p = pair(suite);
    const keys = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const prover = p.prover();
      const verifier = p.verifier();
      const { message, sharedKey } = prover.finish(verifier.respond(prover.start()));
      assert.deepEqual(verifier.finish(message).sharedKey, sharedKey);
      keys.add(toHex(sharedKey));
    }
    assert.equal(keys.size, 3);
  });

  test(`${suite.name}: wrong password fails confirmation on both sides and yields no key`, () => {
    const good = pair(suite, 1n);
    const wrong = secretsFromSeed(suite, 2n);
    const session = { idProver: 'dev', idVerifier: 'svc', context: 'test' };

    // Prover side: an honest prover with the wrong password rejects the verifier's confirmV.
    const prover = new Prover({ ...wrong, ...session });
    const verifier = good.verifier();
    const m2 = verifier.respond(prover.start());
    assert.throws(() => prover.finish(m2), isCode(ErrorCode.CONFIRMATION_FAILED));
    assert.equal(prover.state, 'failed');

    // Verifier side: an attacker who guesses a password and sends its confirmP anyway is refused.
    const attackerX = 5n;
    const attacker = new Prover({ ...wrong, ...session });
    const v2 = good.verifier();
    const shareP = encodePoint(suite.Point.BASE.multiply(attackerX).add(suite.M.multiply(bytesToBigInt(wrong.w0))));
    const reply = v2.respond(encodeMessage({ type: 'SHARE_P', suite, shareP }));
    const shareV = reply.subarray(3, 3 + suite.pointLength);
    // the attacker's Z and V by the RFC formulas (noble, reference arithmetic)
    const T = decodePoint(suite, shareV, 'shareV').subtract(suite.N.multiply(bytesToBigInt(wrong.w0)));
    const [Z, V] = [T.multiply(attackerX), T.multiply(bytesToBigInt(wrong.w1))];
    const enc = new TextEncoder();
    const forged = keySchedule(suite, {
      context: enc.encode(session.context),
      idProver: enc.encode(session.idProver),
      idVerifier: enc.encode(session.idVerifier),
      shareP,
      shareV,
      Z: encodePoint(Z),
      V: encodePoint(V),
      w0: wrong.w0,
    });
    assert.throws(() => v2.finish(encodeMessage({ type: 'CONFIRM_P', suite, confirmP: forged.confirmP })), isCode(ErrorCode.CONFIRMATION_FAILED));
    assert.equal(v2.state, 'failed');
    assert.throws(() => v2.finish(encodeMessage({ type: 'CONFIRM_P', suite, confirmP: forged.confirmP })), isCode(ErrorCode.PROTOCOL_STATE));
    attacker.abort();
  });

  test(`${suite.name}: a mismatch in identities or context fails confirmation`, () => {
    const secrets = secretsFromSeed(suite, 9n);
    const record = computeVerifierRecord(secrets.w0, secrets.w1, { suite });
    const base = { idProver: 'dev', idVerifier: 'svc', context: 'ctx' };
    for (const change of [{ idProver: 'dev2' }, { idVerifier: 'svc2' }, { context: 'ctx2' }]) {
      const prover = new Prover({ ...secrets, ...base, ...change });
      const verifier = new Verifier({ record, ...base });
      assert.throws(() => prover.finish(verifier.respond(prover.start())), isCode(ErrorCode.CONFIRMATION_FAILED));
    }
  });

  test(`${suite.name}: any single-bit change to any message is refused and no key comes out`, () => {
    const p = pair(suite, 4n);
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3), fc.nat(), fc.integer({ min: 0, max: 7 }), (which, pos, bit) => {
        const prover = p.prover();
        const verifier = p.verifier();
        const flip = (m: Uint8Array) => {
          const t = m.slice();
          t[pos % t.length] ^= 1 << bit;
          return t;
        };
        let m1 = prover.start();
        if (which === 1) m1 = flip(m1);
        let m2: Uint8Array;
        try {
          m2 = verifier.respond(m1);
        } catch (e) {
          assert.ok(isCode(ErrorCode.INVALID_MESSAGE, ErrorCode.INVALID_POINT, ErrorCode.PROTOCOL_STATE)(e), String(e));
          assert.equal(verifier.state, 'failed');
          return;
        }
        if (which === 2) m2 = flip(m2);
        let m3: Uint8Array;
        try {
          m3 = prover.finish(m2).message;
        } catch (e) {
          assert.ok(
            isCode(ErrorCode.INVALID_MESSAGE, ErrorCode.INVALID_POINT, ErrorCode.PROTOCOL_STATE, ErrorCode.CONFIRMATION_FAILED)(e),
            String(e),
          );
          assert.equal(prover.state, 'failed');
          return;
        }
        // A tampered message 1 reaches here only if it still decodes: the prover then rejects confirmV.
        assert.notEqual(which, 1);
        assert.notEqual(which, 2);
        assert.throws(
          () => verifier.finish(flip(m3)),
          isCode(ErrorCode.INVALID_MESSAGE, ErrorCode.PROTOCOL_STATE, ErrorCode.CONFIRMATION_FAILED),
        );
        assert.equal(verifier.state, 'failed');
      }),
      { numRuns: suite === P256_SHA256 ? 60 : 30 },
    );
  });

  test(`${suite.name}: out-of-order, repeated and replayed messages are refused`, () => {
    const p = pair(suite, 5n);
    const state = isCode(ErrorCode.PROTOCOL_STATE);

    const prover = p.prover();
    const verifier = p.verifier();
    assert.throws(() => prover.finish(new Uint8Array(10)), state); // finish before start
    assert.throws(() => verifier.finish(new Uint8Array(10)), state); // finish before respond
    const m1 = prover.start();
    assert.throws(() => prover.start(), state); // start twice
    const m2 = verifier.respond(m1);
    assert.throws(() => verifier.respond(m1), state); // repeated message 1
    const { message: m3 } = prover.finish(m2);
    assert.throws(() => prover.finish(m2), state); // repeated message 2
    verifier.finish(m3);
    assert.throws(() => verifier.finish(m3), state); // repeated message 3

    // wrong type in the right state
    const v2 = p.verifier();
    assert.throws(() => v2.respond(m3), state);
    assert.equal(v2.state, 'failed');
    const p2 = p.prover();
    p2.start();
    assert.throws(() => p2.finish(m1), state);

    // replays into a new session: the old transcript does not match the new shares
    const p3 = p.prover();
    p3.start();
    assert.throws(() => p3.finish(m2), isCode(ErrorCode.CONFIRMATION_FAILED));
    const v3 = p.verifier();
    v3.respond(p.prover().start());
    assert.throws(() => v3.finish(m3), isCode(ErrorCode.CONFIRMATION_FAILED));
    // a replayed message 1 gets a fresh shareV, so an old message 3 cannot complete it either
    const v4 = p.verifier();
    v4.respond(m1);
    assert.throws(() => v4.finish(m3), isCode(ErrorCode.CONFIRMATION_FAILED));
  });

  test(`${suite.name}: invalid points are refused with CC_ERROR_INVALID_POINT`, () => {
    const p = pair(suite, 6n);
    const len = suite.pointLength;
    const w0 = bytesToBigInt(p.secrets.w0);
    const fieldP = suite.Point.Fp.ORDER;
    const G = suite.Point.BASE;
    const half = (len - 1) / 2;
    const uncompressed = (x: bigint, y: bigint) => {
      const hex = '04' + x.toString(16).padStart(half * 2, '0') + y.toString(16).padStart(half * 2, '0');
      assert.equal(hex.length, len * 2, 'test point must fit the encoding');
      return new Uint8Array(Buffer.from(hex, 'hex'));
    };
    // a curve point with a small x, so that x + p still fits the field length: a non-canonical x
    let small = G;
    for (let x = 1n; ; x++) {
      try {
        small = suite.Point.fromBytes(new Uint8Array(Buffer.from('02' + x.toString(16).padStart(half * 2, '0'), 'hex')));
        break;
      } catch {
        // no point with this x
      }
    }
    const zeros = new Uint8Array(len);
    zeros[0] = 4;
    const offCurve = encodePoint(G);
    offCurve[len - 1] ^= 1;
    const wrongPrefix = encodePoint(G);
    wrongPrefix[0] = 0x05;
    const candidates = [
      zeros, // (0, 0): the "identity" some libraries accept
      offCurve,
      wrongPrefix,
      uncompressed(small.x + fieldP, small.y), // x >= p: the same point, non-canonically encoded
      uncompressed(fieldP, G.y), // x = p
      encodePoint(suite.M.multiply(w0)), // X - w0*M = I
    ];
    for (const shareP of candidates) {
      const verifier = p.verifier();
      assert.throws(() => verifier.respond(encodeMessage({ type: 'SHARE_P', suite, shareP })), isCode(ErrorCode.INVALID_POINT), toHex(shareP));
      assert.equal(verifier.state, 'failed');
    }
    // the prover's side: shareV = w0*N, and an off-curve shareV
    for (const shareV of [encodePoint(suite.N.multiply(w0)), offCurve]) {
      const prover = p.prover();
      prover.start();
      const m2 = encodeMessage({ type: 'SHARE_V', suite, shareV, confirmV: new Uint8Array(32) });
      assert.throws(() => prover.finish(m2), isCode(ErrorCode.INVALID_POINT));
    }
  });
}

test('a P-384 prover and a P-256 verifier refuse each other', () => {
  const a = pair(P384_SHA256, 1n);
  const b = pair(P256_SHA256, 1n);
  const verifier = b.verifier();
  assert.throws(() => verifier.respond(a.prover().start()), isCode(ErrorCode.INVALID_MESSAGE));
  const prover = a.prover();
  prover.start();
  assert.throws(() => prover.finish(b.verifier().respond(b.prover().start())), isCode(ErrorCode.INVALID_MESSAGE));
});

test('abort ends a handshake; a corrupt record or bad options are refused up front', () => {
  const p = pair(P256_SHA256, 7n);
  const prover = p.prover();
  const m1 = prover.start();
  prover.abort();
  assert.equal(prover.state, 'failed');
  assert.throws(() => prover.finish(new Uint8Array(0)), isCode(ErrorCode.PROTOCOL_STATE));
  const verifier = p.verifier();
  verifier.abort();
  assert.throws(() => verifier.respond(m1), isCode(ErrorCode.PROTOCOL_STATE));

  const badL = p.record.L.slice();
  badL[10] ^= 0xff;
  assert.throws(() => new Verifier({ record: { ...p.record, L: badL } }), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new Verifier({ record: { ...p.record, w0: new Uint8Array(32) } }), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new Verifier({ record: { ...p.record, suite: 'x' as never } }), isCode(ErrorCode.NOT_SUPPORTED));
  assert.throws(() => new Verifier(null as never), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new Prover({ w0: p.secrets.w0 } as never), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new Prover({ ...p.secrets, context: 12 as never }), isCode(ErrorCode.BAD_PARAMETERS));
  assert.throws(() => new Prover({ ...p.secrets, idProver: new Uint8Array(70000) }), isCode(ErrorCode.BAD_PARAMETERS));
});
