// End to end through the official AWS SDK (@aws-sdk/client-kms): real HTTP, SigV4, a real
// sim-backend enclave, SQLite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createCipheriv, createPublicKey, randomBytes, verify as verifySignature, createHmac } from 'node:crypto';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateMacCommand,
  GenerateRandomCommand, GetPublicKeyCommand, ListAliasesCommand, ListKeysCommand, ReEncryptCommand, ScheduleKeyDeletionCommand, SignCommand,
  UpdateAliasCommand, VerifyCommand, VerifyMacCommand, DisabledException, InvalidCiphertextException, NotFoundException, KMSInvalidStateException,
  AlreadyExistsException, KMSInvalidSignatureException, KMSInvalidMacException, type KMSClient, IncorrectKeyException,
  GenerateDataKeyPairWithoutPlaintextCommand,
} from '@aws-sdk/client-kms';
import { removeDir, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';

const platformDir = tempDir('platform');
let node: TestNode;
let kms: KMSClient;
const text = (s: string) => new TextEncoder().encode(s);

before(async () => {
  node = await startTestNode({ platformDir, poolSize: 2 });
  ({ client: kms } = await node.tenant('acme'));
});
after(async () => {
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
});

describe('EKMS through @aws-sdk/client-kms', () => {
  it('CreateKey, DescribeKey, ListKeys', async () => {
    const made = await kms.send(new CreateKeyCommand({ Description: 'orders' }));
    const meta = made.KeyMetadata!;
    assert.equal(meta.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(meta.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(meta.KeyState, 'Enabled');
    assert.ok(meta.CreationDate instanceof Date && Math.abs(meta.CreationDate.getTime() - Date.now()) < 60_000);
    assert.match(meta.Arn!, /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: meta.Arn }));
    assert.equal(described.KeyMetadata!.Description, 'orders');
    const listed = await kms.send(new ListKeysCommand({}));
    assert.ok(listed.Keys!.some((k) => k.KeyId === meta.KeyId));
  });

  it('Encrypt/Decrypt round trip with encryption context bound as AAD', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const context = { tenant: 'a', purpose: 'test' };
    const enc = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: text('hello'), EncryptionContext: context }));
    assert.equal(enc.KeyId, KeyMetadata!.Arn);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 'a' } }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'hello');
    assert.equal(dec.KeyId, KeyMetadata!.Arn);
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'a' } })), InvalidCiphertextException);
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), InvalidCiphertextException);
    const tampered = new Uint8Array(enc.CiphertextBlob!);
    tampered[tampered.length - 1] ^= 1;
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })), InvalidCiphertextException);
    const other = await kms.send(new CreateKeyCommand({}));
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context, KeyId: other.KeyMetadata!.KeyId })), IncorrectKeyException);
  });

  it('GenerateDataKey: envelope encryption with node:crypto, the data key decrypts again through KMS', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256', EncryptionContext: { file: 'x' } }));
    assert.equal(dk.Plaintext!.length, 32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dk.Plaintext!, iv);
    const sealed = Buffer.concat([cipher.update('payload'), cipher.final()]);
    const tag = cipher.getAuthTag();
    const again = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { file: 'x' } }));
    const decipher = createDecipheriv('aes-256-gcm', again.Plaintext!, iv);
    decipher.setAuthTag(tag);
    assert.equal(Buffer.concat([decipher.update(sealed), decipher.final()]).toString(), 'payload');
    const noPlain = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: KeyMetadata!.KeyId, NumberOfBytes: 64 }));
    assert.equal((noPlain as { Plaintext?: Uint8Array }).Plaintext, undefined);
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: noPlain.CiphertextBlob }))).Plaintext!.length, 64);
    await assert.rejects(kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId })), { name: 'ValidationException' });
  });

  it('aliases name keys: create, use, update, list, delete', async () => {
    const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: a.KeyId }));
    await assert.rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: b.KeyId })), AlreadyExistsException);
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/payments', Plaintext: text('x') }));
    assert.equal(enc.KeyId, a.Arn);
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: b.KeyId }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/payments' }))).KeyMetadata!.KeyId, b.KeyId);
    const aliases = await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }));
    assert.deepEqual(aliases.Aliases!.map((x) => x.AliasName), ['alias/payments']);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/payments' }));
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/payments' })), NotFoundException);
  });

  it('disabled keys refuse use; deletion is scheduled, cancellable, and comes back disabled', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: text('x') })), DisabledException);
    await kms.send(new EnableKeyCommand({ KeyId: k.KeyId }));
    await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: text('x') }));
    await assert.rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 6 })), { name: 'ValidationException' });
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.ok(Math.abs(scheduled.DeletionDate!.getTime() - (Date.now() + 7 * 86400_000)) < 60_000);
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: text('x') })), KMSInvalidStateException);
    await kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.KeyState, 'Disabled');
  });

  it('ReEncrypt moves a ciphertext to another key and context', async () => {
    const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const enc = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: text('move me'), EncryptionContext: { v: '1' } }));
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { v: '1' }, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { v: '2' } }));
    assert.equal(moved.SourceKeyId, a.Arn);
    assert.equal(moved.KeyId, b.Arn);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { v: '2' } }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'move me');
  });

  it('GenerateRandom gives the bytes asked for', async () => {
    const r = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 48 }));
    assert.equal(r.Plaintext!.length, 48);
  });

  for (const [spec, algorithm] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_P384', 'ECDSA_SHA_384'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PSS_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384']] as const) {
    it(`Sign/Verify with ${spec} ${algorithm}; the public key verifies with node:crypto`, async () => {
      const k = (await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
      assert.ok(k.SigningAlgorithms!.includes(algorithm));
      const message = text('sign this');
      const signed = await kms.send(new SignCommand({ KeyId: k.KeyId, Message: message, SigningAlgorithm: algorithm, MessageType: 'RAW' }));
      const ok = await kms.send(new VerifyCommand({ KeyId: k.KeyId, Message: message, Signature: signed.Signature, SigningAlgorithm: algorithm }));
      assert.equal(ok.SignatureValid, true);
      await assert.rejects(kms.send(new VerifyCommand({ KeyId: k.KeyId, Message: text('other'), Signature: signed.Signature, SigningAlgorithm: algorithm })), KMSInvalidSignatureException);
      const pub = await kms.send(new GetPublicKeyCommand({ KeyId: k.KeyId }));
      const key = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
      const hash = `sha${algorithm.slice(-3)}`;
      const options = algorithm.startsWith('RSASSA_PSS') ? { padding: 6, saltLength: -1 } : algorithm.startsWith('RSASSA_PKCS1') ? { padding: 1 } : {};
      assert.ok(verifySignature(hash, message, { key, ...options }, signed.Signature!));
    });
  }

  it('RSA encryption keys: OAEP encrypt/decrypt', async () => {
    const k = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    const enc = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: text('rsa'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const dec = await kms.send(new DecryptCommand({ KeyId: k.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'rsa');
  });

  for (const bits of [224, 256, 384, 512] as const) {
    it(`HMAC_${bits}: GenerateMac/VerifyMac`, async () => {
      const k = (await kms.send(new CreateKeyCommand({ KeySpec: `HMAC_${bits}`, KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
      const mac = await kms.send(new GenerateMacCommand({ KeyId: k.KeyId, Message: text('m'), MacAlgorithm: `HMAC_SHA_${bits}` }));
      assert.equal(mac.Mac!.length, bits / 8);
      assert.equal((await kms.send(new VerifyMacCommand({ KeyId: k.KeyId, Message: text('m'), Mac: mac.Mac, MacAlgorithm: `HMAC_SHA_${bits}` }))).MacValid, true);
      await assert.rejects(kms.send(new VerifyMacCommand({ KeyId: k.KeyId, Message: text('n'), Mac: mac.Mac, MacAlgorithm: `HMAC_SHA_${bits}` })), KMSInvalidMacException);
      void createHmac;
    });
  }

  it('GenerateDataKeyPair: the private key comes back under the CMK and matches the public key', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    assert.deepEqual(Buffer.from(dec.Plaintext!), Buffer.from(pair.PrivateKeyPlaintext!));
    const without = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P384' }));
    assert.equal((without as { PrivateKeyPlaintext?: Uint8Array }).PrivateKeyPlaintext, undefined);
    assert.ok(without.PublicKey!.length > 0);
  });
});
