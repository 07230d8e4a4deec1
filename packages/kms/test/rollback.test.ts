// Rollback protection: a node refuses to start on a database older than the state it last
// acknowledged (the SQLite file restored from an older copy; a PostgreSQL table restored from
// an older snapshot), a running node refuses to commit over a database that went back, and an
// altered counter file is refused. Without a rollback, restarts are fine.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, KMSInternalException } from '@aws-sdk/client-kms';
import pg from 'pg';
import { pino } from 'pino';
import { startEkms } from '../src/index.js';
import { removeDir, sdkClient, startTestNode, tempDir } from './helpers/ekms.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

const work = tempDir('rollback');
const platformDir = join(work, 'sim');
const imageKey = join(work, 'image-key.pem');
let postgres: TestPostgres | undefined;
after(async () => {
  await postgres?.stop();
  removeDir(work);
});

const start = (dataDir: string, storage?: string, nodeId = 'n1') => startEkms({ dataDir, storage, platformDir, poolSize: 1, nodeId, imageKey, logger: pino({ level: 'silent' }) });

/** Some audited writes through the SDK; returns the access key used. */
async function someWrites(dataDir: string, storage?: string, nodeId = 'n1'): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const node = await startTestNode({ platformDir, dataDir, storage, nodeId, imageKey });
  try {
    const { client, accessKeyId, secretAccessKey } = await node.tenant('acme');
    const key = await client.send(new CreateKeyCommand({}));
    for (let i = 0; i < 3; i++) await client.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId, Plaintext: new Uint8Array([i]) }));
    return { accessKeyId, secretAccessKey };
  } finally {
    await node.stop();
  }
}

const isRollback = (pattern: RegExp) => (error: { code?: string; message?: string }) => {
  assert.equal(error.code, 'CC_ERROR_STATE_ROLLBACK', String(error.message));
  assert.match(String(error.message), pattern);
  return true;
};

describe('rollback protection, SQLite', () => {
  const dataDir = join(work, 'sqlite');
  const db = join(dataDir, 'ekms.db');

  it('a database file restored from an older copy is refused with CC_ERROR_STATE_ROLLBACK; the current one restarts fine', async () => {
    await someWrites(dataDir);
    assert.ok(!existsSync(`${db}-wal`) || readFileSync(`${db}-wal`).length === 0, 'the WAL is checkpointed on close');
    copyFileSync(db, join(work, 'old.db'));
    await someWrites(dataDir);
    copyFileSync(db, join(work, 'new.db'));
    copyFileSync(join(work, 'old.db'), db);
    await assert.rejects(start(dataDir), isRollback(/the database is at state #\d+ but this node acknowledged #\d+/));
    copyFileSync(join(work, 'new.db'), db);
    for (let i = 0; i < 2; i++) {
      const node = await start(dataDir);
      await node.close();
    }
  });

  it('an admin write counts: rolling back to before an access key was revoked is refused', async () => {
    const node = await startTestNode({ platformDir, dataDir, nodeId: 'n1', imageKey });
    const { accessKeyId } = await node.tenant('acme');
    await node.stop();
    copyFileSync(db, join(work, 'before-revoke.db'));
    const again = await startTestNode({ platformDir, dataDir, nodeId: 'n1', imageKey });
    assert.equal((await again.admin('DELETE', `/admin/access-keys/${accessKeyId}`)).status < 300, true);
    await again.stop();
    copyFileSync(join(work, 'before-revoke.db'), db);
    await assert.rejects(start(dataDir), isRollback(/rolled back/));
    rmSync(db);
    // an empty database in its place: either it holds no record of this node, or (a new root key) the file's MAC fails
    await assert.rejects(start(dataDir), isRollback(/the database has no freshness record|does not verify/));
  });

  it('an altered counter file is refused; a damaged one is a clear error; without one the database is accepted', async () => {
    const dir = join(work, 'sqlite-file');
    await someWrites(dir);
    const file = join(dir, 'freshness-n1.json');
    const saved = readFileSync(file, 'utf8');
    const statement = JSON.parse(saved) as { counter: number };
    writeFileSync(file, JSON.stringify({ ...statement, counter: statement.counter + 5 }));
    await assert.rejects(start(dir), isRollback(/freshness record in the node file does not verify/));
    writeFileSync(file, '{not json');
    await assert.rejects(start(dir), /is not JSON: it was damaged/);
    writeFileSync(file, saved);
    (await start(dir)).close();
    rmSync(file);
    // a node whose local counter was lost accepts the database's own record (the residual risk the README states)
    const node = await start(dir);
    await node.close();
    assert.ok(existsSync(file), 'the counter file is written again');
  });
});

describe('rollback protection, PostgreSQL', () => {
  it('a table restored from an older snapshot is refused while running and at restart; no rollback restarts fine', async () => {
    postgres = await startPostgres();
    const dataDir = join(work, 'pg');
    const credentials = await someWrites(dataDir, postgres.url);
    const sql = new pg.Client({ connectionString: postgres.url });
    await sql.connect();
    try {
      await sql.query('CREATE TABLE meta_snapshot AS SELECT * FROM meta');
      await someWrites(dataDir, postgres.url);
      const node = await start(dataDir, postgres.url);
      const client = sdkClient(node.url, credentials);
      const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      // restore the snapshot under the running node: its next commit is refused, nothing is acknowledged
      await sql.query('BEGIN; DELETE FROM meta; INSERT INTO meta SELECT * FROM meta_snapshot; COMMIT');
      await assert.rejects(client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })), KMSInternalException);
      client.destroy();
      await node.close();
      await assert.rejects(start(dataDir, postgres.url), isRollback(/the database is at state #\d+ but this node acknowledged #\d+/));
    } finally {
      await sql.end();
    }
  });

  it('without a rollback a PostgreSQL node restarts and serves', async () => {
    const dataDir = join(work, 'pg2');
    const credentials = await someWrites(dataDir, postgres!.url, 'n2');
    await someWrites(dataDir, postgres!.url, 'n2');
    const node = await start(dataDir, postgres!.url, 'n2');
    const client = sdkClient(node.url, credentials);
    await client.send(new CreateKeyCommand({}));
    client.destroy();
    await node.close();
  });
});
