// Several EKMS nodes on one PostgreSQL (started by this test): both serve the same keys, the
// root key is made once and unsealed by the other node, audit chains stay per node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, DisableKeyCommand, DisabledException, EncryptCommand, CreateAliasCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { removeDir, sdkClient, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

const platformDir = tempDir('platform');
const shared = tempDir('shared');
let pg: TestPostgres;
let a: TestNode;
let b: TestNode;

before(async () => {
  pg = await startPostgres();
  const imageKey = join(shared, 'image-key.pem');
  // both nodes start at once: only one root key may win
  [a, b] = await Promise.all([
    startTestNode({ platformDir, storage: pg.url, imageKey, nodeId: 'node-a' }),
    startTestNode({ platformDir, storage: pg.url, imageKey, nodeId: 'node-b' }),
  ]);
});
after(async () => {
  await a?.stop();
  await b?.stop();
  await pg?.stop();
  for (const d of [a?.dataDir, b?.dataDir, platformDir, shared]) if (d) removeDir(d);
});

describe('EKMS on PostgreSQL, two nodes', () => {
  it('both nodes hold the same root key', () => {
    assert.equal(a.pool.rootKeyId, b.pool.rootKeyId);
  });

  it('a key made on one node encrypts there and decrypts on the other; a change on one is seen by the other', async () => {
    const onA = await a.tenant('acme');
    const onB = sdkClient(b.url, onA);
    const key = (await onA.client.send(new CreateKeyCommand({}))).KeyMetadata!;
    await onA.client.send(new CreateAliasCommand({ AliasName: 'alias/shared', TargetKeyId: key.KeyId }));
    const enc = await onA.client.send(new EncryptCommand({ KeyId: 'alias/shared', Plaintext: new TextEncoder().encode('both'), EncryptionContext: { n: '1' } }));
    const dec = await onB.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { n: '1' } }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'both');
    assert.ok((await onB.send(new ListKeysCommand({}))).Keys!.some((k) => k.KeyId === key.KeyId));
    await onB.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await assert.rejects(onA.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([1]) })), DisabledException);
    onB.destroy();
  });

  it('each node keeps its own audit chain; both verify', async () => {
    const report = await a.verifyAudit();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.deepEqual(report.nodes, ['node-a', 'node-b']);
  });
});
