// The enclave's freshness counter (enclave/freshness.ts), run in-process as trusted code: any
// stored record the host hands it is either a verified statement or a clear refusal, never a
// crash; a database older than what the enclave knows was committed is always refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { lsnValue, nextFreshness, setFreshnessKey, startFreshness } from '../src/enclave/freshness.js';
import type { FreshnessStatement } from '../src/common/protocol.js';

const clearRefusal = (error: unknown) => {
  const e = error as { name?: string; code?: string; type?: string };
  return (e.name === 'SecGearError' && e.code === 'CC_ERROR_STATE_ROLLBACK') || e.name === 'KmsError';
};

const statementLike = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.anything(),
  fc.record({ counter: fc.oneof(fc.integer(), fc.double(), fc.string()), mac: fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')), fc.string()), lsn: fc.option(fc.string(), { nil: undefined }) }),
);

describe('freshness counter (enclave side)', () => {
  it('hostile stored records are refused clearly, never crash the enclave', () => {
    setFreshnessKey(randomBytes(32));
    fc.assert(
      fc.property(statementLike, statementLike, fc.option(fc.string(), { nil: undefined }), (database, file, currentLsn) => {
        try {
          const { counter } = startFreshness({ node: 'n1', database: database as FreshnessStatement, file: file as FreshnessStatement, currentLsn });
          // only "nothing stored" can start without a verified statement
          assert.equal(counter, 0);
          assert.ok(database == null && file == null);
        } catch (error) {
          assert.ok(clearRefusal(error), String(error));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a chain of commits: any database older than the last committed is refused, the current one accepted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(), (commits, pick) => {
        setFreshnessKey(randomBytes(32));
        startFreshness({ node: 'n1' });
        const stored: FreshnessStatement[] = [];
        let database: FreshnessStatement | undefined;
        for (let i = 0; i < commits; i++) {
          const next = nextFreshness({ node: 'n1', database, committed: database?.counter ?? 0 });
          stored.push(next);
          database = next; // committed
        }
        const older = pick % commits; // index of an older statement, or none when 0 … commits-1
        const rolledBack = older === commits - 1 ? undefined : stored[older];
        if (rolledBack) {
          assert.throws(() => nextFreshness({ node: 'n1', database: rolledBack, committed: database!.counter }), (e: { code?: string }) => e.code === 'CC_ERROR_STATE_ROLLBACK');
          // the enclave's own mark catches it even when the host understates what it committed
          if (older < commits - 2) assert.throws(() => nextFreshness({ node: 'n1', database: rolledBack, committed: 0 }), (e: { code?: string }) => e.code === 'CC_ERROR_STATE_ROLLBACK');
        }
        // a restart sees file = newest and database = the rolled back one
        if (rolledBack) assert.throws(() => startFreshness({ node: 'n1', database: rolledBack, file: database }), /rollback refused: the database is at state/);
        assert.equal(startFreshness({ node: 'n1', database, file: database }).counter, commits);
      }),
      { numRuns: 60 },
    );
  });

  it('a statement of another node or another root key does not verify', () => {
    setFreshnessKey(randomBytes(32));
    startFreshness({ node: 'n1' });
    const mine = nextFreshness({ node: 'n1', committed: 0 });
    assert.throws(() => startFreshness({ node: 'n2', database: mine }), /does not verify/);
    setFreshnessKey(randomBytes(32));
    assert.throws(() => startFreshness({ node: 'n1', database: mine }), /does not verify/);
  });

  it('PostgreSQL log positions order like the log; a position behind the acknowledged one is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (h1, l1, h2, l2) => {
        const a = `${h1.toString(16).toUpperCase()}/${l1.toString(16).toUpperCase()}`;
        const b = `${h2.toString(16).toUpperCase()}/${l2.toString(16).toUpperCase()}`;
        assert.equal(lsnValue(a) < lsnValue(b), h1 < h2 || (h1 === h2 && l1 < l2));
      }),
    );
    setFreshnessKey(randomBytes(32));
    startFreshness({ node: 'n1' });
    const acknowledged = nextFreshness({ node: 'n1', committed: 0, lsn: '0/5000000' });
    assert.throws(() => startFreshness({ node: 'n1', database: acknowledged, file: acknowledged, currentLsn: '0/4FFFFFF' }), /PostgreSQL log is at 0\/4FFFFFF, behind 0\/5000000/);
    assert.equal(startFreshness({ node: 'n1', database: acknowledged, file: acknowledged, currentLsn: '0/5000100' }).counter, 1);
    // a database moved to a new server (dump and restore: a new, lower log) is accepted once the node file is deleted
    assert.equal(startFreshness({ node: 'n1', database: acknowledged, currentLsn: '0/10' }).counter, 1);
    assert.throws(() => lsnValue('5000000'), /not a PostgreSQL LSN/);
  });
});
