// Paging of the List* operations through the SDK's own paginators, and the markers' integrity:
// a marker that was altered, made up, or taken from another list or tenant is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, InvalidMarkerException, ListAliasesCommand, ListGrantsCommand, ListKeysCommand,
  ListResourceTagsCommand, RotateKeyOnDemandCommand, TagResourceCommand, paginateListAliases, paginateListGrants, paginateListKeyRotations,
  paginateListKeys, paginateListResourceTags, type KMSClient,
} from '@aws-sdk/client-kms';
import { KmsError } from '../src/common/kms-error.js';
import { KmsStore } from '../src/store/kms-store.js';
import { SqliteDriver } from '../src/store/sqlite-driver.js';
import { makeMarker, readPage } from '../src/service/paging.js';
import { removeDir, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';

const platformDir = tempDir('platform');
let node: TestNode;
let kms: KMSClient;
let other: KMSClient;
let account: string;

before(async () => {
  node = await startTestNode({ platformDir });
  ({ client: kms, account } = await node.tenant('pager'));
  ({ client: other } = await node.tenant('elsewhere'));
});
after(async () => {
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
});

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('paging through the SDK paginators', () => {
  it('ListKeys walks every page of a tenant and nothing of another', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    await other.send(new CreateKeyCommand({}));
    const pages = await collect(paginateListKeys({ client: kms, pageSize: 2 }, {}));
    assert.equal(pages.length, 3);
    assert.deepEqual(pages.map((p) => p.Truncated), [true, true, false]);
    assert.deepEqual(pages.flatMap((p) => p.Keys!.map((k) => k.KeyId)), made);
  });

  it('ListGrants: pages in creation order, filters kept across pages', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const grantee = `arn:aws:iam::${account}:role/${i % 2 ? 'odd' : 'even'}`;
      ids.push((await kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ['Encrypt'] }))).GrantId!);
    }
    const pages = await collect(paginateListGrants({ client: kms, pageSize: 2 }, { KeyId: key.KeyId }));
    assert.equal(pages.length, 4);
    assert.deepEqual(pages.flatMap((p) => p.Grants!.map((g) => g.GrantId)), ids);
    const even = await collect(paginateListGrants({ client: kms, pageSize: 1 }, { KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${account}:role/even` }));
    assert.deepEqual(even.flatMap((p) => p.Grants!.map((g) => g.GrantId)), [ids[0], ids[2], ids[4], ids[6]]);
    // a marker of the filtered listing does not resume the unfiltered one
    await assert.rejects(kms.send(new ListGrantsCommand({ KeyId: key.KeyId, Marker: even[0].NextMarker })), InvalidMarkerException);
  });

  it('ListResourceTags, ListAliases and ListKeyRotations page too', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const tags = Array.from({ length: 7 }, (_, i) => ({ TagKey: `t${i}`, TagValue: `v${i}` }));
    await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags }));
    const tagPages = await collect(paginateListResourceTags({ client: kms, pageSize: 3 }, { KeyId: key.KeyId }));
    assert.equal(tagPages.length, 3);
    assert.deepEqual(tagPages.flatMap((p) => p.Tags), tags);

    const names = Array.from({ length: 5 }, (_, i) => `alias/paged-${i}`);
    for (const name of names) await kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId }));
    const aliasPages = await collect(paginateListAliases({ client: kms, pageSize: 2 }, { KeyId: key.KeyId }));
    assert.equal(aliasPages.length, 3);
    assert.deepEqual(aliasPages.flatMap((p) => p.Aliases!.map((a) => a.AliasName)), names);

    for (let i = 0; i < 4; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const rotationPages = await collect(paginateListKeyRotations({ client: kms, pageSize: 3 }, { KeyId: key.KeyId }));
    assert.deepEqual(rotationPages.map((p) => p.Rotations!.length), [3, 1]);
    assert.ok(rotationPages.flatMap((p) => p.Rotations!).every((r) => r.RotationType === 'ON_DEMAND'));
  });

  it('Limit is checked against each operation\'s range', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await assert.rejects(kms.send(new ListKeysCommand({ Limit: 0 })), { name: 'ValidationException' });
    await assert.rejects(kms.send(new ListKeysCommand({ Limit: 1001 })), { name: 'ValidationException' });
    await assert.rejects(kms.send(new ListGrantsCommand({ KeyId: key.KeyId, Limit: 101 })), { name: 'ValidationException' });
    await assert.rejects(kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 51 })), { name: 'ValidationException' });
    await assert.rejects(kms.send(new ListAliasesCommand({ Limit: 101 })), { name: 'ValidationException' });
    assert.equal((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Truncated, false);
  });

  it('altered, made-up and foreign markers are InvalidMarkerException', async () => {
    const first = await kms.send(new ListKeysCommand({ Limit: 1 }));
    assert.equal(first.Truncated, true);
    const marker = first.NextMarker!;
    assert.equal((await kms.send(new ListKeysCommand({ Limit: 1, Marker: marker }))).Keys!.length, 1);
    const bytes = Buffer.from(marker, 'base64url');
    bytes[bytes.length - 2] ^= 1;
    await assert.rejects(kms.send(new ListKeysCommand({ Marker: bytes.toString('base64url') })), InvalidMarkerException);
    await assert.rejects(kms.send(new ListKeysCommand({ Marker: 'not-a-marker' })), InvalidMarkerException);
    await assert.rejects(kms.send(new ListKeysCommand({ Marker: Buffer.from('0:x').toString('base64url') })), InvalidMarkerException);
    // the same marker from another tenant, and on another list operation
    await assert.rejects(other.send(new ListKeysCommand({ Marker: marker })), InvalidMarkerException);
    await assert.rejects(kms.send(new ListAliasesCommand({ Marker: marker })), InvalidMarkerException);
  });
});

describe('paging markers (unit, property-based)', () => {
  const dir = tempDir('paging');
  let store: KmsStore;
  before(async () => {
    store = await KmsStore.open(new SqliteDriver(`${dir}/kms.db`));
  });
  after(async () => {
    await store.close();
    removeDir(dir);
  });
  const scope = ['ListGrants', '111122223333', 'key-1', '', ''];
  const range = { max: 100, defaultLimit: 50 };

  it('a marker reads back as its position, only in its own scope', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.integer()), { minLength: 1, maxLength: 4 }), async (position) => {
      const marker = await makeMarker(store, scope, position);
      assert.deepEqual((await readPage(store, { Marker: marker }, scope, range)).after, position);
      await assert.rejects(readPage(store, { Marker: marker }, [...scope.slice(0, 2), 'key-2', '', ''], range), (e: unknown) => e instanceof KmsError && e.type === 'InvalidMarkerException');
    }), { numRuns: 100 });
  });

  it('any single changed character or random text is refused, never a crash', async () => {
    const marker = await makeMarker(store, scope, [1733500000000, 'abc']);
    await fc.assert(fc.asyncProperty(fc.nat(marker.length - 1), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), async (at, ch) => {
      fc.pre(marker[at] !== ch);
      const changed = marker.slice(0, at) + ch + marker.slice(at + 1);
      // the last character may only carry padding bits that base64url decoding drops
      const decodedSame = Buffer.from(changed, 'base64url').equals(Buffer.from(marker, 'base64url'));
      if (decodedSame) return;
      await assert.rejects(readPage(store, { Marker: changed }, scope, range), (e: unknown) => e instanceof KmsError && e.type === 'InvalidMarkerException');
    }), { numRuns: 200 });
    await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 1024 }), async (text) => {
      await assert.rejects(readPage(store, { Marker: text }, scope, range), (e: unknown) => e instanceof KmsError && e.type === 'InvalidMarkerException');
    }), { numRuns: 300 });
  });
});
