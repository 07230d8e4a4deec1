// Key policies, grants, rotation, deletion windows and tags through the AWS SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetKeyPolicyCommand,
  GetKeyRotationStatusCommand, ListGrantsCommand, ListKeyRotationsCommand, ListResourceTagsCommand, PutKeyPolicyCommand, RetireGrantCommand,
  RevokeGrantCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, TagResourceCommand, UntagResourceCommand, DisableKeyRotationCommand,
  NotFoundException, GenerateDataKeyCommand, MalformedPolicyDocumentException,
} from '@aws-sdk/client-kms';
import { removeDir, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';

const platformDir = tempDir('platform');
let node: TestNode;
let now = Date.now();
let owner: Awaited<ReturnType<TestNode['tenant']>>;
let app: Awaited<ReturnType<TestNode['tenant']>>;
const text = (s: string) => new TextEncoder().encode(s);
const DAY = 86400_000;

before(async () => {
  node = await startTestNode({ platformDir, clock: () => now });
  owner = await node.tenant('acme', 'admin');
  app = await node.tenant('acme', 'app');
});
after(async () => {
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
});

function policy(account: string, statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

describe('key policies and grants', () => {
  it('deny overrides allow; conditions on the encryption context; the lockout check', async () => {
    const admin = `arn:aws:iam::${owner.account}:user/admin`;
    const appArn = `arn:aws:iam::${owner.account}:user/app`;
    const doc = policy(owner.account, [
      { Sid: 'admin', Effect: 'Allow', Principal: { AWS: admin }, Action: 'kms:*', Resource: '*' },
      { Sid: 'app-use', Effect: 'Allow', Principal: { AWS: appArn }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:Describe*'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:team': 'blue' } } },
      { Sid: 'app-describe', Effect: 'Allow', Principal: { AWS: appArn }, Action: 'kms:DescribeKey', Resource: '*' },
      { Sid: 'no-prod', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:stage': 'prod*' } } },
    ]);
    const key = (await owner.client.send(new CreateKeyCommand({ Policy: doc }))).KeyMetadata!;
    assert.equal((await owner.client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, doc);
    await app.client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    const blue = await app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: { team: 'blue' } }));
    await app.client.send(new DecryptCommand({ CiphertextBlob: blue.CiphertextBlob, EncryptionContext: { team: 'blue' } }));
    await assert.rejects(app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: { team: 'red' } })), { name: 'AccessDeniedException' });
    await assert.rejects(app.client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { team: 'blue' } })), { name: 'AccessDeniedException' });
    // the admin may do everything except what the Deny removes
    const prod = await owner.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: { stage: 'production' } }));
    await assert.rejects(owner.client.send(new DecryptCommand({ CiphertextBlob: prod.CiphertextBlob, EncryptionContext: { stage: 'production' } })), { name: 'AccessDeniedException' });
    // a policy that would lock the caller out is refused unless bypassed
    const lockout = policy(owner.account, [{ Effect: 'Allow', Principal: { AWS: appArn }, Action: 'kms:Encrypt', Resource: '*' }]);
    await assert.rejects(owner.client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: lockout })), MalformedPolicyDocumentException);
    await assert.rejects(owner.client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: '{"Statement": [{"Effect": "Maybe"}]}' })), MalformedPolicyDocumentException);
  });

  it('grants give another principal operations, within their constraints; retire and revoke end them', async () => {
    const admin = `arn:aws:iam::${owner.account}:user/admin`;
    const appArn = `arn:aws:iam::${owner.account}:user/app`;
    const key = (await owner.client.send(new CreateKeyCommand({ Policy: policy(owner.account, [{ Effect: 'Allow', Principal: { AWS: admin }, Action: 'kms:*', Resource: '*' }]) }))).KeyMetadata!;
    await assert.rejects(app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })), { name: 'AccessDeniedException' });
    const grant = await owner.client.send(new CreateGrantCommand({
      KeyId: key.KeyId, GranteePrincipal: appArn, RetiringPrincipal: admin, Operations: ['Encrypt', 'Decrypt'], Name: 'app-orders',
      Constraints: { EncryptionContextSubset: { app: 'orders' } },
    }));
    const enc = await app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: { app: 'orders', id: '1' } }));
    await app.client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'orders', id: '1' } }));
    await assert.rejects(app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: { app: 'billing' } })), { name: 'AccessDeniedException' });
    const listed = await owner.client.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    assert.deepEqual(listed.Grants!.map((g) => [g.GrantId, g.Name, g.Operations]), [[grant.GrantId, 'app-orders', ['Encrypt', 'Decrypt']]]);
    await owner.client.send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    await assert.rejects(app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionContext: { app: 'orders' } })), { name: 'AccessDeniedException' });
    const second = await owner.client.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: appArn, Operations: ['Encrypt'] }));
    await app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    await owner.client.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: second.GrantId }));
    await assert.rejects(app.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })), { name: 'AccessDeniedException' });
  });
});

describe('rotation, deletion windows, tags', () => {
  it('a ciphertext from before a rotation still decrypts; new ones use the new version; automatic rotation when due', async () => {
    const key = (await owner.client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const before = await owner.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('old') }));
    await owner.client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const after = await owner.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('new') }));
    assert.notDeepEqual(Buffer.from(before.CiphertextBlob!).subarray(0, 42), Buffer.from(after.CiphertextBlob!).subarray(0, 42));
    assert.equal(new TextDecoder().decode((await owner.client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext), 'old');
    assert.equal(new TextDecoder().decode((await owner.client.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).Plaintext), 'new');

    await owner.client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const status = await owner.client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.equal(status.KeyRotationEnabled, true);
    assert.equal(status.RotationPeriodInDays, 90);
    assert.equal(status.NextRotationDate!.getTime(), now + 90 * DAY);
    now += 91 * DAY;
    const swept = await node.service.sweep();
    assert.deepEqual(swept.rotated, [key.KeyId]);
    const rotations = await owner.client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    assert.deepEqual(rotations.Rotations!.map((r) => r.RotationType), ['ON_DEMAND', 'AUTOMATIC']);
    assert.equal(new TextDecoder().decode((await owner.client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext), 'old');
    await owner.client.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    assert.equal((await owner.client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled, false);
  });

  it('a key is erased when its deletion window ends, not before', async () => {
    const key = (await owner.client.send(new CreateKeyCommand({}))).KeyMetadata!;
    await owner.client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    now += 6 * DAY;
    assert.deepEqual((await node.service.sweep()).deleted, []);
    assert.equal((await owner.client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
    now += 1 * DAY + 1000;
    assert.deepEqual((await node.service.sweep()).deleted, [key.KeyId]);
    await assert.rejects(owner.client.send(new DescribeKeyCommand({ KeyId: key.KeyId })), NotFoundException);
  });

  it('tags: add, replace, list, remove', async () => {
    const key = (await owner.client.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'blue' }] }))).KeyMetadata!;
    await owner.client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'team', TagValue: 'red' }, { TagKey: 'cost', TagValue: '7' }] }));
    assert.deepEqual((await owner.client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, [{ TagKey: 'cost', TagValue: '7' }, { TagKey: 'team', TagValue: 'red' }]);
    await owner.client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['cost'] }));
    assert.deepEqual((await owner.client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'red' }]);
  });
});
