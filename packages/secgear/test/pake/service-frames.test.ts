import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';
import { P256_SHA256, P384_SHA256, decodeFrame, encodeFrame, type Frame } from '../../src/pake/index.js';
import { createRegistration, decodeRegistration, encodeRegistration } from '../../src/pake/index.js';
import { isCode } from './helpers.js';

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const arbFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ kind: fc.constant('HELLO' as const), idProver: bytes(40), nonce: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({
    kind: fc.constant('PREAMBLE' as const),
    suite: fc.constantFrom(P256_SHA256, P384_SHA256),
    idVerifier: bytes(20),
    salt: bytes(64),
    kdf: fc.record({ N: fc.nat(), r: fc.integer({ min: 0, max: 255 }), p: fc.integer({ min: 0, max: 255 }) }),
    evidence: fc.record({ mediaType: fc.string({ maxLength: 40 }), data: bytes(200) }),
  }),
  fc.record({ kind: fc.constant('HANDSHAKE' as const), message: bytes(140) }),
  fc.constant({ kind: 'FINISHED' as const }),
  fc.record({ kind: fc.constant('DATA' as const), record: bytes(100) }),
  fc.record({
    kind: fc.constant('ERROR' as const),
    code: fc.constantFrom(...Object.values(ErrorCode)),
    retryAfterMs: fc.nat(),
    message: fc.string({ maxLength: 100 }),
  }),
);

test('every frame round-trips', () => {
  fc.assert(
    fc.property(arbFrame, (frame) => {
      // fast-check builds null-prototype records; compare as plain objects
      const plain = frame.kind === 'PREAMBLE' ? { ...frame, kdf: { ...frame.kdf }, evidence: { ...frame.evidence } } : { ...frame };
      assert.deepEqual(decodeFrame(encodeFrame(frame)), plain);
    }),
  );
});

test('arbitrary bytes decode to a frame that re-encodes identically, or fail with CC_ERROR_INVALID_MESSAGE', () => {
  const near = fc.tuple(fc.constantFrom(0, 1, 2), fc.constantFrom(0x10, 0x11, 0x12, 0x13, 0x14, 0x1f, 0x99), bytes(120)).map(([v, k, rest]) => new Uint8Array([v, k, ...rest]));
  fc.assert(
    fc.property(fc.oneof(bytes(150), near), (input) => {
      try {
        assert.deepEqual(encodeFrame(decodeFrame(input)), input);
      } catch (e) {
        assert.ok(e instanceof SecGearError && e.code === ErrorCode.INVALID_MESSAGE, String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

test('truncated, extended and misplaced frames are refused with clear codes', () => {
  fc.assert(
    fc.property(arbFrame, fc.integer({ min: 1, max: 5 }), (frame, cut) => {
      const enc = encodeFrame(frame);
      assert.throws(() => decodeFrame(enc.slice(0, Math.max(0, enc.length - cut))), isCode(ErrorCode.INVALID_MESSAGE));
      assert.throws(() => decodeFrame(new Uint8Array([...enc, 0])), isCode(ErrorCode.INVALID_MESSAGE));
    }),
  );
  const finished = encodeFrame({ kind: 'FINISHED' });
  assert.throws(() => decodeFrame(finished, ['DATA']), isCode(ErrorCode.PROTOCOL_STATE));
  const error = encodeFrame({ kind: 'ERROR', code: ErrorCode.REPLAY, retryAfterMs: 0, message: 'x' });
  assert.equal(decodeFrame(error, ['DATA']).kind, 'ERROR', 'ERROR frames always come through');
  const bogusCode = new Uint8Array([1, 0x1f, 0, 3, 0x41, 0x42, 0x43, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => decodeFrame(bogusCode), isCode(ErrorCode.INVALID_MESSAGE));
  const badUtf8 = new Uint8Array([1, 0x1f, 0, 2, 0xc3, 0x28, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => decodeFrame(badUtf8), isCode(ErrorCode.INVALID_MESSAGE));
  assert.throws(() => decodeFrame(new Uint8Array(1024 * 1024 + 1)), isCode(ErrorCode.INVALID_MESSAGE));
  assert.throws(() => decodeFrame('x' as never), isCode(ErrorCode.INVALID_MESSAGE));
  assert.throws(() => encodeFrame({ kind: 'HELLO', idProver: new Uint8Array(1), nonce: new Uint8Array(31) }), isCode(ErrorCode.BAD_PARAMETERS));
});

test('stored registrations round-trip; malformed ones are CC_ERROR_INVALID_MESSAGE', async () => {
  for (const suite of [P256_SHA256, P384_SHA256]) {
    const reg = await createRegistration('pw', { idProver: 'd', idVerifier: 'v', kdf: { N: 256 }, suite });
    const enc = encodeRegistration(reg);
    assert.deepEqual(decodeRegistration(enc), reg);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (pos, mask) => {
        const changed = enc.slice();
        changed[pos % changed.length] ^= mask;
        try {
          decodeRegistration(changed); // a change in w0 or the salt still decodes: sealing protects integrity
        } catch (e) {
          assert.ok(e instanceof SecGearError && e.code === ErrorCode.INVALID_MESSAGE, String(e));
        }
      }),
    );
    for (let cut = 1; cut < enc.length; cut += 7) assert.throws(() => decodeRegistration(enc.slice(0, cut)), isCode(ErrorCode.INVALID_MESSAGE));
  }
  assert.throws(() => decodeRegistration(new Uint8Array(0)), isCode(ErrorCode.INVALID_MESSAGE));
  assert.throws(() => encodeRegistration({ record: null } as never), isCode(ErrorCode.BAD_PARAMETERS));
  // random bytes (the host hands pakeRegister whatever it likes): CC_ERROR_INVALID_MESSAGE, never a crash
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Uint8Array.of(1, 1, ...b))), (bytes) => {
      try {
        decodeRegistration(bytes);
      } catch (e) {
        assert.ok(e instanceof SecGearError && e.code === ErrorCode.INVALID_MESSAGE, String(e));
      }
    }),
    { seed: 0x5e9, numRuns: 300 },
  );
});
