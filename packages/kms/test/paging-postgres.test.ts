// Paging on PostgreSQL with two nodes: the keyset queries in that dialect, and a marker issued by
// one node resumes the listing on the other (the marker key lives in the shared database).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, InvalidMarkerException, ListGrantsCommand, ListKeysCommand, TagResourceCommand,
  paginateListAliases, paginateListGrants, paginateListKeys, paginateListResourceTags,
} from '@aws-sdk/client-kms';
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
  a = await startTestNode({ platformDir, storage: pg.url, imageKey, nodeId: 'page-a' });
  b = await startTestNode({ platformDir, storage: pg.url, imageKey, nodeId: 'page-b' });
});
after(async () => {
  await a?.stop();
  await b?.stop();
  await pg?.stop();
  for (const d of [a?.dataDir, b?.dataDir, platformDir, shared]) if (d) removeDir(d);
});

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('paging on PostgreSQL', () => {
  it('the paginators walk every page, and a marker from one node works on the other', async () => {
    const onA = await a.tenant('pg-pager');
    const onB = sdkClient(b.url, onA);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await onA.client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    assert.deepEqual((await collect(paginateListKeys({ client: onA.client, pageSize: 2 }, {}))).flatMap((p) => p.Keys!.map((k) => k.KeyId)), made);

    const first = await onA.client.send(new ListKeysCommand({ Limit: 2 }));
    const rest = await onB.send(new ListKeysCommand({ Limit: 10, Marker: first.NextMarker }));
    assert.deepEqual([...first.Keys!, ...rest.Keys!].map((k) => k.KeyId), made);

    const key = made[0];
    const grants: string[] = [];
    for (let i = 0; i < 5; i++) grants.push((await onA.client.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: `arn:aws:iam::${onA.account}:role/r${i}`, Operations: ['Decrypt'] }))).GrantId!);
    assert.deepEqual((await collect(paginateListGrants({ client: onB, pageSize: 2 }, { KeyId: key }))).flatMap((p) => p.Grants!.map((g) => g.GrantId)), grants);
    const grantPage = await onA.client.send(new ListGrantsCommand({ KeyId: key, Limit: 2 }));
    await assert.rejects(onB.send(new ListGrantsCommand({ KeyId: made[1], Marker: grantPage.NextMarker })), InvalidMarkerException);

    const tags = Array.from({ length: 5 }, (_, i) => ({ TagKey: `k${i}`, TagValue: `v${i}` }));
    await onA.client.send(new TagResourceCommand({ KeyId: key, Tags: tags }));
    assert.deepEqual((await collect(paginateListResourceTags({ client: onB, pageSize: 2 }, { KeyId: key }))).flatMap((p) => p.Tags), tags);

    const names = ['alias/pg-0', 'alias/pg-1', 'alias/pg-2'];
    for (const name of names) await onA.client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key }));
    assert.deepEqual((await collect(paginateListAliases({ client: onB, pageSize: 1 }, {}))).flatMap((p) => p.Aliases!.map((x) => x.AliasName)), names);
    onB.destroy();
  });
});
