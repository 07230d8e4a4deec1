import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, SecGearError } from '../../src/common/errors.js';
import { GuessLimiter } from '../../src/pake/guess-limiter.js';
import { isCode } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);

test('after maxFailures failures the identity waits, and each further failure doubles the wait', () => {
  const limiter = new GuessLimiter({ maxFailures: 3, baseBackoffMs: 1000, maxBackoffMs: 5000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.check('dev', T0).allowed, true);
    limiter.recordAttempt('dev', T0);
  }
  assert.deepEqual(limiter.check('dev', T0 + 10), { allowed: false, retryAfterMs: 990 });
  assert.equal(limiter.check('other', T0).allowed, true, 'identities are independent');
  assert.equal(limiter.check('dev', T0 + 1000).allowed, true);
  limiter.recordAttempt('dev', T0 + 1000);
  assert.deepEqual(limiter.check('dev', T0 + 1000), { allowed: false, retryAfterMs: 2000 });
  limiter.recordAttempt('dev', T0 + 3000);
  assert.equal(limiter.check('dev', T0 + 3000).retryAfterMs, 4000);
  limiter.recordAttempt('dev', T0 + 7000);
  assert.equal(limiter.check('dev', T0 + 7000).retryAfterMs, 5000, 'capped at maxBackoffMs');
  limiter.recordSuccess('dev');
  assert.equal(limiter.failures('dev'), 0);
  assert.equal(limiter.check('dev', T0 + 7000).allowed, true);
});

test('state survives serialize/restore; an older state is refused as a rollback', () => {
  const a = new GuessLimiter({ maxFailures: 2, baseBackoffMs: 1000 });
  a.recordAttempt('x', T0);
  const older = a.serialize();
  a.recordAttempt('x', T0);
  const newer = a.serialize();
  const b = new GuessLimiter({ maxFailures: 2, baseBackoffMs: 1000 });
  b.restore(newer);
  assert.equal(b.check('x', T0 + 1).allowed, false);
  assert.equal(b.generation, a.generation);
  assert.throws(() => b.restore(older), isCode(ErrorCode.REPLAY));
});

test('malformed state bytes are CC_ERROR_INVALID_SEALED_DATA', () => {
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const bad = [
    new Uint8Array([0xff, 0xfe]),
    enc(null),
    enc({ v: 2, generation: 0, entries: [] }),
    enc({ v: 1, generation: -1, entries: [] }),
    enc({ v: 1, generation: 0, entries: {} }),
    enc({ v: 1, generation: 0, entries: [['a', 0, 1]] }),
    enc({ v: 1, generation: 0, entries: [['a', 1]] }),
    enc({ v: 1, generation: 0, entries: [[1, 1, 1]] }),
    enc({ v: 1, generation: 0, entries: [['a', 1, 1.5]] }),
  ];
  for (const bytes of bad) assert.throws(() => new GuessLimiter().restore(bytes), isCode(ErrorCode.INVALID_SEALED_DATA));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        new GuessLimiter().restore(bytes);
      } catch (e) {
        assert.ok(e instanceof SecGearError);
      }
    }),
  );
});

test('round trip of any state, and the tracked-identity bound', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.nat({ max: 100000 })), { maxLength: 30 }), (ops) => {
      const a = new GuessLimiter({ maxTracked: 10 });
      for (const [id, t] of ops) a.recordAttempt(id, T0 + t);
      const b = new GuessLimiter({ maxTracked: 10 });
      b.restore(a.serialize());
      assert.deepEqual(b.serialize(), a.serialize());
      assert.ok(JSON.parse(new TextDecoder().decode(a.serialize())).entries.length <= 10);
    }),
  );
});

test('bad options are CC_ERROR_BAD_PARAMETERS', () => {
  for (const o of [{ maxFailures: 0 }, { baseBackoffMs: 1.5 }, { maxBackoffMs: 10, baseBackoffMs: 100 }, { maxTracked: -1 }]) {
    assert.throws(() => new GuessLimiter(o), isCode(ErrorCode.BAD_PARAMETERS));
  }
  assert.throws(() => new GuessLimiter().check('x'.repeat(2000), T0), isCode(ErrorCode.BAD_PARAMETERS));
});
