// Attested key release (Recipient / CiphertextForRecipient) end to end through @aws-sdk/client-kms:
// a caller enclave on the sim backend makes its RSA key and evidence inside, EKMS verifies it in
// its own enclave and answers with CMS EnvelopedData that the caller opens inside — and that
// `openssl cms -decrypt` opens too. A real AWS Nitro document is verified at its own time.
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand, GenerateRandomCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { buildImage, createEnclave, generateSigningKey, type Enclave } from 'secgear';
import { parseNitroDocument } from 'secgear/attest';
import { parseEnvelopedData, subjectKeyIdentifier, OID } from '../src/common/cms-enveloped.js';
import { encodeRecipientContainer, parseRecipientContainer } from '../src/common/recipient-container.js';
import { removeDir, sdkClient, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';
import { serveProcess } from './helpers/serve-process.js';
import { officialSign } from './helpers/official-signer.js';

type CallerEcalls = { useKey(pem: string): void; recipient(issuedAt?: number): Uint8Array; open(cms: Uint8Array): Uint8Array };

const here = dirname(fileURLToPath(import.meta.url));
const VECTORS = '/work/shared/vectors';
const platformDir = tempDir('platform');
let node: TestNode;
let kms: KMSClient;
let account: string;
let credentials: { accessKeyId: string; secretAccessKey: string };
let caller: Enclave<CallerEcalls>;
const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const recipient = (doc: Uint8Array, algorithm = 'RSAES_OAEP_SHA_256') => ({ KeyEncryptionAlgorithm: algorithm as 'RSAES_OAEP_SHA_256', AttestationDocument: doc });

async function startCaller(): Promise<Enclave<CallerEcalls>> {
  const image = await buildImage({
    entry: join(here, 'fixtures', 'recipient-enclave.js'),
    manifest: { name: 'kms-recipient-test', version: '1.0.0', prodId: 77, svn: 3, ecalls: ['useKey', 'recipient', 'open'] },
    key: generateSigningKey(),
  });
  return createEnclave<CallerEcalls>(image.bytes, { type: 'sim', platform: { stateDir: platformDir } });
}

/** The default policy plus a Deny of `actions` unless the condition key equals `value`. */
function requiring(actions: string[], key: string, value: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: '*', Action: actions, Resource: '*', Condition: { StringNotEquals: { [key]: value } } },
    ],
  });
}

async function auditRecords(n: TestNode): Promise<Array<Record<string, unknown>>> {
  await n.service.audit!.drain();
  const rows = await n.service.store.auditPage(n.nodeId, 0, 10_000);
  return rows.map((r) => JSON.parse(r.record) as Record<string, unknown>);
}

before(async () => {
  node = await startTestNode({ platformDir, recipients: { allowSimulation: true } });
  const tenant = await node.tenant('acme');
  ({ client: kms, account } = tenant);
  credentials = { accessKeyId: tenant.accessKeyId, secretAccessKey: tenant.secretAccessKey };
  caller = await startCaller();
});
after(async () => {
  await caller?.destroy();
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
});

describe('Recipient with secGear evidence (sim backend)', () => {
  it('Decrypt answers only with CiphertextForRecipient, which the caller enclave opens', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('launch codes'), EncryptionContext: { app: 'x' } }));
    const doc = await caller.ecall.recipient();
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'x' }, Recipient: recipient(doc) }));
    assert.equal(dec.Plaintext, undefined);
    assert.equal(dec.KeyId, key.Arn);
    assert.ok(dec.CiphertextForRecipient && dec.CiphertextForRecipient.length > 0);
    assert.equal(new TextDecoder().decode(await caller.ecall.open(dec.CiphertextForRecipient)), 'launch codes');
    // the CMS names the caller's key and AWS's algorithms
    const parsed = parseEnvelopedData(dec.CiphertextForRecipient);
    const { container } = parseRecipientContainer(doc);
    assert.deepEqual([...parsed.recipients[0].subjectKeyIdentifier], [...subjectKeyIdentifier(container.publicKey)]);
    assert.equal(parsed.recipients[0].keyEncryptionAlgorithm, OID.rsaesOaep);
    assert.equal(parsed.contentEncryptionAlgorithm, OID.aes256Cbc);
    // the audit records the attestation digest
    const digest = createHash('sha256').update(doc).digest('hex');
    assert.ok((await auditRecords(node)).some((r) => r.operation === 'Decrypt' && r.attestationDigest === digest && r.result === 'Success'));
  });

  it('GenerateDataKey keeps CiphertextBlob; GenerateRandom and GenerateDataKeyPair seal their plaintext', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const made = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient: recipient(await caller.ecall.recipient()) }));
    assert.equal(made.Plaintext, undefined);
    const dataKey = await caller.ecall.open(made.CiphertextForRecipient!);
    assert.equal(dataKey.length, 32);
    const again = await kms.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }));
    assert.deepEqual([...again.Plaintext!], [...dataKey]);

    const random = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 48, Recipient: recipient(await caller.ecall.recipient()) }));
    assert.equal(random.Plaintext, undefined);
    assert.equal((await caller.ecall.open(random.CiphertextForRecipient!)).length, 48);

    // an SM4 key's data keys and an SM2 data key pair are sealed the same way
    const sm4 = (await kms.send(new CreateKeyCommand({ KeySpec: 'SM4' as 'SYMMETRIC_DEFAULT' }))).KeyMetadata!;
    const sm4Made = await kms.send(new GenerateDataKeyCommand({ KeyId: sm4.KeyId, NumberOfBytes: 16, Recipient: recipient(await caller.ecall.recipient()) }));
    const sm4Key = await caller.ecall.open(sm4Made.CiphertextForRecipient!);
    assert.deepEqual([...(await kms.send(new DecryptCommand({ CiphertextBlob: sm4Made.CiphertextBlob }))).Plaintext!], [...sm4Key]);
    const sm2Pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: sm4.KeyId, KeyPairSpec: 'SM2', Recipient: recipient(await caller.ecall.recipient()) }));
    assert.equal(sm2Pair.PrivateKeyPlaintext, undefined);
    assert.ok((await caller.ecall.open(sm2Pair.CiphertextForRecipient!)).length > 100);

    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: recipient(await caller.ecall.recipient()) }));
    assert.equal(pair.PrivateKeyPlaintext, undefined);
    assert.ok(pair.PrivateKeyCiphertextBlob);
    const privateDer = await caller.ecall.open(pair.CiphertextForRecipient!);
    const publicDer = createPublicKey(createPrivateKey({ key: Buffer.from(privateDer), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    assert.deepEqual([...publicDer], [...pair.PublicKey!]);
  });

  it('openssl cms -decrypt opens CiphertextForRecipient', async () => {
    const dir = tempDir('openssl');
    const other = await startCaller();
    try {
      const pem = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await other.ecall.useKey(pem);
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('opened by openssl') }));
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, Recipient: recipient(await other.ecall.recipient()) }));
      writeFileSync(join(dir, 'key.pem'), pem, { mode: 0o600 });
      writeFileSync(join(dir, 'cms.der'), dec.CiphertextForRecipient!);
      const out = execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(dir, 'cms.der'), '-inkey', join(dir, 'key.pem'), '-binary']);
      assert.equal(out.toString(), 'opened by openssl');
      // and openssl agrees on the structure
      const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'cms.der')]).toString();
      assert.match(printed, /rsaesOaep/);
      assert.match(printed, /aes-256-cbc/);
      assert.match(printed, /subjectKeyIdentifier/);
      // BER as AWS writes it: ContentInfo, [0], EnvelopedData and EncryptedContentInfo of indefinite length
      const asn1 = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', join(dir, 'cms.der')]).toString().split('\n');
      assert.deepEqual(asn1.filter((line) => /l=inf/.test(line)).map((line) => line.replace(/^.*cons: /, '').trim()), ['SEQUENCE', 'cont [ 0 ]', 'SEQUENCE', 'SEQUENCE']);
    } finally {
      await other.destroy();
      removeDir(dir);
    }
  });

  it('refuses recipient keys that are not RSA of 2048 to 4096 bits', async () => {
    const small = await startCaller();
    try {
      await small.ecall.useKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      await assert.rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipient(await small.ecall.recipient()) })), { name: 'ValidationException', message: /2048 to 4096 bits, not 1024/ });
    } finally {
      await small.destroy();
    }
  });

  it('key policies condition on the measurement, signer and TEE of the evidence', async () => {
    const info = caller.info;
    const allowed = (await kms.send(new CreateKeyCommand({ Policy: requiring(['kms:Decrypt', 'kms:GenerateDataKey'], 'secgear:RecipientAttestation:Measurement', hex(info.measurement)) }))).KeyMetadata!;
    const otherMeasurement = (await kms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'secgear:RecipientAttestation:Measurement', '00'.repeat(32)) }))).KeyMetadata!;
    const bySigner = (await kms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'secgear:RecipientAttestation:Signer', hex(info.signer)) }))).KeyMetadata!;
    const otherSigner = (await kms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'secgear:RecipientAttestation:Signer', 'ff'.repeat(32)) }))).KeyMetadata!;
    const notSgx = (await kms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'secgear:RecipientAttestation:Tee', 'sgx') }))).KeyMetadata!;

    const gdk = async (keyId: string) => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', Recipient: recipient(await caller.ecall.recipient()) }));
    assert.equal((await caller.ecall.open((await gdk(allowed.KeyId!)).CiphertextForRecipient!)).length, 32);
    assert.equal((await caller.ecall.open((await gdk(bySigner.KeyId!)).CiphertextForRecipient!)).length, 32);
    await assert.rejects(gdk(otherMeasurement.KeyId!), { name: 'AccessDeniedException' });
    await assert.rejects(gdk(otherSigner.KeyId!), { name: 'AccessDeniedException' });
    await assert.rejects(gdk(notSgx.KeyId!), { name: 'AccessDeniedException' });
    // the README's example: one Deny per requirement
    const deny = (key: string, value: string) => ({ Effect: 'Deny', Principal: '*', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*', Condition: { StringNotEquals: { [key]: value } } });
    const readme = (signer: string) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        deny('secgear:RecipientAttestation:Signer', signer), deny('secgear:RecipientAttestation:Debug', 'false'), deny('secgear:RecipientAttestation:Appraisal', 'affirming'),
      ],
    });
    const strict = (await kms.send(new CreateKeyCommand({ Policy: readme(hex(info.signer)) }))).KeyMetadata!;
    assert.equal((await caller.ecall.open((await gdk(strict.KeyId!)).CiphertextForRecipient!)).length, 32);
    const strictOther = (await kms.send(new CreateKeyCommand({ Policy: readme('ee'.repeat(32)) }))).KeyMetadata!;
    await assert.rejects(gdk(strictOther.KeyId!), { name: 'AccessDeniedException' });
    // without a Recipient there is no evidence: the condition cannot hold
    await assert.rejects(kms.send(new GenerateDataKeyCommand({ KeyId: allowed.KeyId, KeySpec: 'AES_256' })), { name: 'AccessDeniedException' });
    const enc = await kms.send(new EncryptCommand({ KeyId: allowed.KeyId, Plaintext: text('x') }));
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), { name: 'AccessDeniedException' });
    // a refused caller learns nothing about its ciphertext; an allowed one hears it is bad
    const guarded = (await kms.send(new CreateKeyCommand({ Policy: requiring(['kms:Decrypt'], 'secgear:RecipientAttestation:Measurement', '00'.repeat(32)) }))).KeyMetadata!;
    const sealed = await kms.send(new EncryptCommand({ KeyId: guarded.KeyId, Plaintext: text('x') }));
    const broken = new Uint8Array(sealed.CiphertextBlob!);
    broken[broken.length - 1] ^= 1;
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: broken, Recipient: recipient(await caller.ecall.recipient()) })), { name: 'AccessDeniedException' });
    const brokenAllowed = new Uint8Array(enc.CiphertextBlob!);
    brokenAllowed[brokenAllowed.length - 1] ^= 1;
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: brokenAllowed, Recipient: recipient(await caller.ecall.recipient()) })), { name: 'InvalidCiphertextException' });
    // a denied call is audited with the digest of the evidence it carried
    const doc = await caller.ecall.recipient();
    await assert.rejects(kms.send(new GenerateDataKeyCommand({ KeyId: otherSigner.KeyId, KeySpec: 'AES_256', Recipient: recipient(doc) })), { name: 'AccessDeniedException' });
    const digest = createHash('sha256').update(doc).digest('hex');
    assert.ok((await auditRecords(node)).some((r) => r.attestationDigest === digest && r.result === 'AccessDeniedException'));
  });

  it('refuses stale, future, re-bound and tampered evidence and other key encryption algorithms', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const gdk = (doc: Uint8Array, algorithm?: string) => kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient: recipient(doc, algorithm) }));
    await assert.rejects(gdk(await caller.ecall.recipient(Date.now() - 10 * 60_000)), { name: 'AccessDeniedException', message: /stale/ });
    await assert.rejects(gdk(await caller.ecall.recipient(Date.now() + 10 * 60_000)), { name: 'AccessDeniedException', message: /future/ });
    await assert.rejects(gdk(await caller.ecall.recipient(), 'RSAES_OAEP_SHA_1'), { name: 'ValidationException', message: /RSAES_OAEP_SHA_256/ });

    // the host swaps in its own public key (same length): the evidence no longer binds it
    const doc = await caller.ecall.recipient();
    const hostKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
    const { container } = parseRecipientContainer(doc);
    assert.equal(hostKey.length, container.publicKey.length);
    const swapped = new Uint8Array(doc);
    swapped.set(hostKey, 15);
    await assert.rejects(gdk(swapped), { name: 'AccessDeniedException', message: /binding/ });
    // the time changed after the fact
    const redated = new Uint8Array(doc);
    redated[12] ^= 1;
    await assert.rejects(gdk(redated), { name: 'AccessDeniedException', message: /binding/ });
    // a flipped bit in the evidence's signature
    const tampered = new Uint8Array(doc);
    tampered[tampered.length - 2] ^= 1;
    await assert.rejects(gdk(tampered), { name: 'AccessDeniedException', message: /sim\.signature|parse/ });
    // not a container, not a Nitro document
    await assert.rejects(gdk(text('hello')), { name: 'ValidationException' });
    // the container's own structure
    await assert.rejects(gdk(doc.subarray(0, doc.length - 1)), { name: 'ValidationException', message: /container/ });
  });
});

describe('Recipient on the wire', () => {
  async function signedPost(operation: string, payload: unknown, edit?: (body: string) => string) {
    const body = new TextEncoder().encode(JSON.stringify(payload));
    const headers = { host: new URL(node.url).host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` };
    const auth = await officialSign({ method: 'POST', path: '/', headers, body }, credentials);
    const sent = edit ? edit(new TextDecoder().decode(body)) : body;
    const response = await fetch(node.url + '/', { method: 'POST', headers: auth, body: sent });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

  it('a host that strips the Recipient from a signed request breaks its signature', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('only for the enclave') }));
    const payload = { CiphertextBlob: b64(enc.CiphertextBlob!), Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: b64(await caller.ecall.recipient()) } };
    const intact = await signedPost('Decrypt', payload);
    assert.equal(intact.status, 200);
    assert.equal(intact.json.Plaintext, undefined);
    assert.equal(typeof intact.json.CiphertextForRecipient, 'string');
    const stripped = await signedPost('Decrypt', payload, (body) => JSON.stringify({ CiphertextBlob: JSON.parse(body).CiphertextBlob }));
    assert.equal(stripped.status, 400);
    assert.equal(stripped.json.__type, 'InvalidSignatureException');
    assert.equal(stripped.json.Plaintext, undefined);
  });

  it('random and mutated attestation documents are refused as client errors, never a crash', async () => {
    const doc = await caller.ecall.recipient();
    const refused = async (bytes: Uint8Array) => {
      try {
        await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipient(bytes) }));
        assert.fail('accepted');
      } catch (error) {
        assert.ok(['ValidationException', 'AccessDeniedException'].includes((error as Error).name), `${(error as Error).name}: ${(error as Error).message}`);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (bytes, container) => {
        await refused(container ? new Uint8Array(Buffer.concat([Buffer.from('SGKR\x01'), bytes])) : bytes);
      }),
      { numRuns: 40 },
    );
    // the media type, the evidence's first bytes and the collateral count, each changed
    const keyLength = parseRecipientContainer(doc).container.publicKey.length;
    for (const at of [16 + keyLength, 16 + keyLength + 5, 16 + keyLength + parseRecipientContainer(doc).container.mediaType.length + 4, doc.length - 1]) {
      const mutated = new Uint8Array(doc);
      mutated[at] ^= 0x20;
      await refused(mutated);
    }
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const mutated = new Uint8Array(doc);
        mutated[at % mutated.length] ^= xor;
        await refused(mutated);
      }),
      { numRuns: 40 },
    );
  });

  it('other operations refuse a Recipient', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const recipientJson = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: b64(await caller.ecall.recipient()) };
    for (const [operation, payload] of [
      ['Encrypt', { KeyId: key.KeyId, Plaintext: b64(text('x')) }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, KeySpec: 'AES_256' }],
    ] as const) {
      const r = await signedPost(operation, { ...payload, Recipient: recipientJson });
      assert.equal(r.status, 400);
      assert.equal(r.json.__type, 'ValidationException');
      assert.match(String(r.json.message), new RegExp(`${operation} does not take a Recipient`));
    }
    const notObject = await signedPost('GenerateRandom', { NumberOfBytes: 8, Recipient: 'x' });
    assert.equal(notObject.json.__type, 'ValidationException');
  });
});

describe('Recipient with a real AWS Nitro attestation document', () => {
  const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as { entries: Array<{ id: string; evidence: string; at: string }> };
  const entry = manifest.entries.find((e) => e.id === 'nitro-yawn')!;
  const document = new Uint8Array(readFileSync(join(VECTORS, entry.evidence)));
  const parsed = parseNitroDocument(document);
  let nitroNode: TestNode;
  let nitroKms: KMSClient;
  let nitroAccount: string;
  const nitroPlatform = tempDir('nitro-platform');

  before(async () => {
    // no sim evidence accepted here; evidence is verified as of the document's own time
    nitroNode = await startTestNode({ platformDir: nitroPlatform, recipients: { fixedTime: new Date(entry.at) } });
    ({ client: nitroKms, account: nitroAccount } = await nitroNode.tenant('acme'));
  });
  after(async () => {
    await nitroNode?.stop();
    removeDir(nitroNode.dataDir);
    removeDir(nitroPlatform);
  });

  it('is verified at its time, its PCR conditions are evaluated, and the CMS is for its public key', async () => {
    account = nitroAccount;
    const pcr0 = hex(parsed.pcrs.get(0)!);
    const good = (await nitroKms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'kms:RecipientAttestation:ImageSha384', pcr0) }))).KeyMetadata!;
    const made = await nitroKms.send(new GenerateDataKeyCommand({ KeyId: good.KeyId, KeySpec: 'AES_256', Recipient: recipient(document) }));
    assert.equal(made.Plaintext, undefined);
    const cms = parseEnvelopedData(made.CiphertextForRecipient!);
    assert.deepEqual([...cms.recipients[0].subjectKeyIdentifier], [...subjectKeyIdentifier(parsed.publicKey!)]);
    assert.equal(cms.recipients[0].encryptedKey.length, 256); // RSA-2048 of the document's key
    assert.ok(made.CiphertextBlob);

    const pcr1 = (await nitroKms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'kms:RecipientAttestation:PCR1', hex(parsed.pcrs.get(1)!)) }))).KeyMetadata!;
    await nitroKms.send(new GenerateDataKeyCommand({ KeyId: pcr1.KeyId, KeySpec: 'AES_256', Recipient: recipient(document) }));
    const wrongPcr = (await nitroKms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'kms:RecipientAttestation:PCR2', 'ab'.repeat(48)) }))).KeyMetadata!;
    await assert.rejects(nitroKms.send(new GenerateDataKeyCommand({ KeyId: wrongPcr.KeyId, KeySpec: 'AES_256', Recipient: recipient(document) })), { name: 'AccessDeniedException' });
    const tee = (await nitroKms.send(new CreateKeyCommand({ Policy: requiring(['kms:GenerateDataKey'], 'secgear:RecipientAttestation:Tee', 'nitro') }))).KeyMetadata!;
    await nitroKms.send(new GenerateDataKeyCommand({ KeyId: tee.KeyId, KeySpec: 'AES_256', Recipient: recipient(document) }));
  });

  it('refuses a tampered document and simulated evidence on a service that does not allow simulation', async () => {
    const key = (await nitroKms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const tampered = new Uint8Array(document);
    tampered[tampered.length - 1] ^= 1;
    await assert.rejects(nitroKms.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient: recipient(tampered) })), { name: 'AccessDeniedException', message: /cose\.signature/ });
    const simDoc = await caller.ecall.recipient(new Date(entry.at).getTime());
    await assert.rejects(nitroKms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient: recipient(simDoc) })), { name: 'AccessDeniedException', message: /simulationAllowed/ });
  });

  it('refuses the document once it is stale', async () => {
    const later = await startTestNode({ platformDir: nitroPlatform, recipients: { fixedTime: new Date(new Date(entry.at).getTime() + 10 * 60_000) } });
    try {
      const { client } = await later.tenant('acme');
      await assert.rejects(client.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient: recipient(document) })), { name: 'AccessDeniedException', message: /stale/ });
    } finally {
      await later.stop();
      removeDir(later.dataDir);
    }
  });
});

describe('Recipient with a real SGX DCAP quote in a container', () => {
  it('runs the whole DCAP pipeline (PCK chain, collateral, TCB) inside the EKMS enclave, then refuses the binding', async () => {
    const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as { entries: Array<{ id: string; evidence: string; at: string; collateral: Record<string, string> }> };
    const entry = manifest.entries.find((e) => e.id === 'sgx-dcapqvl')!;
    const at = new Date(entry.at);
    const sgxPlatform = tempDir('sgx-platform');
    const sgxNode = await startTestNode({ platformDir: sgxPlatform, recipients: { fixedTime: at } });
    try {
      const { client } = await sgxNode.tenant('acme');
      const publicKey = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
      const container = encodeRecipientContainer({
        issuedAt: at.getTime(), publicKey, mediaType: '',
        evidence: new Uint8Array(readFileSync(join(VECTORS, entry.evidence))),
        collateral: [{ role: 'bundle', data: new Uint8Array(readFileSync(join(VECTORS, entry.collateral.bundle))) }],
      });
      // every check but the binding passes: this quote's REPORTDATA was made by someone else for something else
      await assert.rejects(client.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipient(container) })), { name: 'AccessDeniedException', message: /check binding failed/ });
      // without its collateral the quote still verifies up to the binding (TCB status unknown)
      const bare = encodeRecipientContainer({ ...parseRecipientContainer(container).container, collateral: [] });
      await assert.rejects(client.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipient(bare) })), { name: 'AccessDeniedException', message: /check binding failed/ });
    } finally {
      await sgxNode.stop();
      removeDir(sgxNode.dataDir);
      removeDir(sgxPlatform);
    }
  });
});

describe('Recipient with real SEV-SNP and Arm CCA evidence in a container', () => {
  it('each runs its whole verifier inside the EKMS enclave (a CCA CPAK compiled in as a JWK anchor), then is refused for its binding', async () => {
    const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as { entries: Array<{ id: string; evidence: string; collateral: Record<string, string>; anchors: string[] }> };
    const snp = manifest.entries.find((e) => e.id === 'snp-virtee-milan')!;
    const cca = manifest.entries.find((e) => e.id === 'cca-secgear-token01')!;
    const cpak = JSON.parse(readFileSync(join(VECTORS, cca.anchors[0]), 'utf8'));
    const dir = tempDir('real-platform');
    const realNode = await startTestNode({ platformDir: dir, recipients: { anchors: [cpak] } });
    try {
      const { client } = await realNode.tenant('acme');
      const publicKey = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
      const file = (path: string) => new Uint8Array(readFileSync(join(VECTORS, path)));
      const container = (evidence: Uint8Array, collateral: Array<{ role: string; data: Uint8Array }>) =>
        encodeRecipientContainer({ issuedAt: Date.now(), publicKey, mediaType: '', evidence, collateral });
      const send = (doc: Uint8Array) => client.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipient(doc) }));
      const snpCollateral = Object.entries(snp.collateral).map(([role, path]) => ({ role, data: file(path) }));
      await assert.rejects(send(container(file(snp.evidence), snpCollateral)), { name: 'AccessDeniedException', message: /check binding failed/ });
      // without its VCEK the report cannot be checked at all
      await assert.rejects(send(container(file(snp.evidence), [])), { name: 'AccessDeniedException', message: /vcek/i });
      await assert.rejects(send(container(file(cca.evidence), [])), { name: 'AccessDeniedException', message: /check binding failed/ });
      // the CPAK counts only compiled in: a node without it refuses the platform token
      await assert.rejects(node.tenant('acme').then(({ client: other }) => other.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipient(container(file(cca.evidence), [])) }))), { name: 'AccessDeniedException', message: /platform\.(cpak|signature)/ });
    } finally {
      await realNode.stop();
      removeDir(realNode.dataDir);
      removeDir(dir);
    }
  });
});

describe('secgear kms serve with Recipient flags', () => {
  it('--allow-sim-recipients, --recipient-anchor and --recipient-max-age reach the enclave', async () => {
    const dataDir = tempDir('serve-recipient');
    const env = { ...process.env, SECGEAR_SIM_DIR: platformDir };
    const served = await serveProcess(
      ['--demo', '--data-dir', dataDir, '--pool-size', '1', '--allow-sim-recipients', '--recipient-max-age', '120', '--recipient-anchor', join(VECTORS, 'roots/aws-nitro/blindai_aws_nitro_enclaves_rootca.pem')],
      env,
    );
    const client = sdkClient(served.url, served.credentials!);
    try {
      const random = await client.send(new GenerateRandomCommand({ NumberOfBytes: 12, Recipient: recipient(await caller.ecall.recipient()) }));
      assert.equal((await caller.ecall.open(random.CiphertextForRecipient!)).length, 12);
      // 200 s is within the default 300 s, not within the 120 s asked for
      await assert.rejects(client.send(new GenerateRandomCommand({ NumberOfBytes: 12, Recipient: recipient(await caller.ecall.recipient(Date.now() - 200_000)) })), { name: 'AccessDeniedException', message: /stale/ });
    } finally {
      client.destroy();
      served.child.kill('SIGTERM');
      assert.equal(await served.exited, 0);
      removeDir(dataDir);
    }
    const badDir = tempDir('serve-bad');
    await assert.rejects(serveProcess(['--data-dir', badDir, '--recipient-anchor', '/nonexistent/root.pem'], env), /--recipient-anchor \/nonexistent\/root.pem: not a readable X.509 certificate or public key/);
    removeDir(badDir);
  });
});
