// The SQLite driver: writes on a writer thread, reads on the main thread; transactions are
// atomic and isolated from statements issued outside them while they run.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from '../src/store/sqlite-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'ekms-sqlite-driver-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteDriver', () => {
  test('a committed write is visible to the next read; blobs and booleans round-trip', async () => {
    const db = new SqliteDriver(join(dir, 'a.db'));
    try {
      await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB, flag INTEGER)');
      assert.equal(await db.run('INSERT INTO t (data, flag) VALUES ($1, $2)', [new Uint8Array([1, 2, 3]), true]), 1);
      const rows = await db.query<{ data: Uint8Array; flag: number }>('SELECT data, flag FROM t');
      assert.deepEqual(rows, [{ data: new Uint8Array([1, 2, 3]), flag: 1 }]);
      assert.ok(!Buffer.isBuffer(rows[0].data), 'rows hold plain Uint8Arrays');
    } finally {
      await db.close();
    }
  });

  test('a failing transaction leaves nothing; a write issued meanwhile is not swept into it', async () => {
    const db = new SqliteDriver(join(dir, 'b.db'));
    try {
      await db.run('CREATE TABLE t (v TEXT UNIQUE)');
      let outside: Promise<number> | undefined;
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (v) VALUES ($1)', ['in-tx']);
          outside = db.run('INSERT INTO t (v) VALUES ($1)', ['outside']); // waits for the transaction
          assert.deepEqual(await tx.query('SELECT v FROM t'), [{ v: 'in-tx' }], 'the transaction sees its own write');
          await tx.run('INSERT INTO t (v) VALUES ($1)', ['in-tx']); // unique violation
        }),
        /UNIQUE/,
      );
      assert.equal(await outside, 1);
      assert.deepEqual(await db.query('SELECT v FROM t'), [{ v: 'outside' }]);
    } finally {
      await db.close();
    }
  });

  test('concurrent transactions run one after another', async () => {
    const db = new SqliteDriver(join(dir, 'c.db'));
    try {
      await db.run('CREATE TABLE counter (n INTEGER)');
      await db.run('INSERT INTO counter (n) VALUES (0)');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const [{ n }] = await tx.query<{ n: number }>('SELECT n FROM counter');
            await tx.run('UPDATE counter SET n = $1', [n + 1]);
          }),
        ),
      );
      assert.deepEqual(await db.query('SELECT n FROM counter'), [{ n: 20 }]);
    } finally {
      await db.close();
    }
  });

  test('after close, writes fail with a clear error', async () => {
    const db = new SqliteDriver(join(dir, 'd.db'));
    await db.run('CREATE TABLE t (v TEXT)');
    await db.close();
    await assert.rejects(db.run('INSERT INTO t (v) VALUES ($1)', ['x']), /closed/);
  });
});
