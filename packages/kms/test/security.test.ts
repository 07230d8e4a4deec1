// Authentication and tenant isolation: unsigned, wrongly signed, stale, tampered, revoked and
// cross-tenant requests are refused; random bodies never crash the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, ListKeysCommand, NotFoundException, type KMSClient } from '@aws-sdk/client-kms';
import { officialSign } from './helpers/official-signer.js';
import { removeDir, sdkClient, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';

const platformDir = tempDir('platform');
let node: TestNode;
let acme: Awaited<ReturnType<TestNode['tenant']>>;
let globex: Awaited<ReturnType<TestNode['tenant']>>;
let acmeKeyArn: string;

before(async () => {
  node = await startTestNode({ platformDir });
  acme = await node.tenant('acme');
  globex = await node.tenant('globex');
  acmeKeyArn = (await acme.client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
});
after(async () => {
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
});

const host = () => new URL(node.url).host;

async function post(headers: Record<string, string>, body: Uint8Array | string): Promise<{ status: number; json: { __type?: string; message?: string } & Record<string, unknown> }> {
  const response = await fetch(node.url + '/', { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as { __type?: string } };
}

async function signed(operation: string, payload: unknown, options: { secret?: string; date?: Date; accessKeyId?: string } = {}) {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const headers = { host: host(), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` };
  const auth = await officialSign({ method: 'POST', path: '/', headers, body }, { accessKeyId: options.accessKeyId ?? acme.accessKeyId, secretAccessKey: options.secret ?? acme.secretAccessKey }, { date: options.date });
  return { headers: auth, body };
}

describe('EKMS authentication', () => {
  it('a request signed by the SDK\'s own signer is accepted', async () => {
    const { headers, body } = await signed('ListKeys', {});
    const r = await post(headers, body);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(Array.isArray(r.json.Keys));
  });

  it('unsigned requests are refused', async () => {
    const r = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    assert.equal(r.status, 400);
    assert.equal(r.json.__type, 'MissingAuthenticationTokenException');
  });

  it('a wrong secret is refused (through the SDK too)', async () => {
    const { headers, body } = await signed('ListKeys', {}, { secret: 'x'.repeat(40) });
    assert.equal((await post(headers, body)).json.__type, 'InvalidSignatureException');
    const bad = sdkClient(node.url, { accessKeyId: acme.accessKeyId, secretAccessKey: 'y'.repeat(40) });
    await assert.rejects(bad.send(new ListKeysCommand({})), { name: 'InvalidSignatureException' });
    bad.destroy();
  });

  it('an unknown access key is refused', async () => {
    const { headers, body } = await signed('ListKeys', {}, { accessKeyId: 'AKEKNOSUCHKEY00000' });
    assert.equal((await post(headers, body)).json.__type, 'UnrecognizedClientException');
  });

  it('a request replayed too late (signed 6 minutes ago) is refused', async () => {
    const { headers, body } = await signed('ListKeys', {}, { date: new Date(Date.now() - 6 * 60_000) });
    const r = await post(headers, body);
    assert.equal(r.json.__type, 'InvalidSignatureException');
    assert.match(r.json.message!, /Signature expired/);
  });

  it('a body changed after signing is refused', async () => {
    const { headers } = await signed('Encrypt', { KeyId: acmeKeyArn, Plaintext: 'AAAA' });
    const r = await post(headers, JSON.stringify({ KeyId: acmeKeyArn, Plaintext: 'BBBB' }));
    assert.equal(r.json.__type, 'InvalidSignatureException');
  });

  it('the operation cannot be swapped: X-Amz-Target is signed', async () => {
    const { headers, body } = await signed('DescribeKey', { KeyId: acmeKeyArn });
    const swapped = { ...headers, 'x-amz-target': 'TrentService.ScheduleKeyDeletion' };
    assert.equal((await post(swapped, body)).json.__type, 'InvalidSignatureException');
    assert.equal((await acme.client.send(new DescribeKeyCommand({ KeyId: acmeKeyArn }))).KeyMetadata!.KeyState, 'Enabled');
  });

  it('unauthenticated callers learn nothing about keys: a bad signature wins over NotFound', async () => {
    const { headers, body } = await signed('DescribeKey', { KeyId: 'no-such-key' }, { secret: 'z'.repeat(40) });
    assert.equal((await post(headers, body)).json.__type, 'InvalidSignatureException');
  });

  it('tenants never see each other\'s keys', async () => {
    await assert.rejects(globex.client.send(new DescribeKeyCommand({ KeyId: acmeKeyArn })), NotFoundException);
    await assert.rejects(globex.client.send(new EncryptCommand({ KeyId: acmeKeyArn, Plaintext: new Uint8Array([1]) })), NotFoundException);
    const keyId = acmeKeyArn.split('/').pop()!;
    await assert.rejects(globex.client.send(new DescribeKeyCommand({ KeyId: keyId })), NotFoundException);
    const listed = await globex.client.send(new ListKeysCommand({}));
    assert.ok(!listed.Keys!.some((k) => k.KeyId === keyId));
  });

  it('a revoked access key is refused from then on', async () => {
    const extra = await node.tenant('acme', 'temp-user');
    await extra.client.send(new ListKeysCommand({}));
    assert.equal((await node.admin('DELETE', `/admin/access-keys/${extra.accessKeyId}`)).status, 200);
    await assert.rejects(extra.client.send(new ListKeysCommand({})), { name: 'UnrecognizedClientException' });
  });

  it('malformed Authorization headers get clear errors, never a crash', async () => {
    const base = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' };
    for (const authorization of ['Basic abc', 'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00', 'AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64)]) {
      const r = await post({ ...base, authorization }, '{}');
      assert.equal(r.status, 400, authorization);
      assert.match(r.json.__type!, /Signature|Authentication|Unrecognized/);
    }
  });

  it('property: random bodies, signed or not, get a JSON 4xx answer and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.constantFrom('Encrypt', 'Decrypt', 'CreateAlias', 'ListKeys', 'Nope'), async (bytes, sign, operation) => {
        let headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` };
        if (sign) headers = await officialSign({ method: 'POST', path: '/', headers: { ...headers, host: host() }, body: bytes }, acme);
        const r = await post(headers, bytes);
        assert.ok(r.status === 400 || r.status === 200, `status ${r.status}: ${JSON.stringify(r.json)}`);
        if (r.status === 400) assert.match(r.json.__type!, /Exception$/);
      }),
      { numRuns: 60, seed: 12 },
    );
    await acme.client.send(new ListKeysCommand({}));
  });

  it('property: structurally random JSON parameters never cause a 500', async () => {
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));
    const keys = fc.constantFrom('KeyId', 'Plaintext', 'CiphertextBlob', 'EncryptionContext', 'NumberOfBytes', 'KeySpec', 'AliasName', 'TargetKeyId', 'Limit', 'Marker', 'Policy', 'GrantTokens');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(keys, value, { maxKeys: 5 }), fc.constantFrom('Encrypt', 'Decrypt', 'GenerateDataKey', 'CreateAlias', 'ListKeys', 'ListAliases', 'CreateKey', 'DescribeKey', 'PutKeyPolicy', 'GenerateRandom'), async (params, operation) => {
        const { headers, body } = await signed(operation, params);
        const r = await post(headers, body);
        assert.ok(r.status === 400 || r.status === 200, `${operation} ${JSON.stringify(params)} -> ${r.status} ${JSON.stringify(r.json)}`);
      }),
      { numRuns: 80, seed: 7 },
    );
  });
});
