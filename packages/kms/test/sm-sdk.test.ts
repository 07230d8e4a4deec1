// SM2 and SM4 keys end to end through @aws-sdk/client-kms, with the openssl CLI (OpenSSL 3) as
// the independent SM2 implementation: it verifies EKMS's SM2DSA signatures and encrypts to an
// EKMS SM2 public key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand, GetPublicKeyCommand,
  IncorrectKeyException, InvalidCiphertextException, InvalidKeyUsageException, KMSInvalidSignatureException, ReEncryptCommand,
  RotateKeyOnDemandCommand, SignCommand, VerifyCommand, type KMSClient, type KeySpec,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { removeDir, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';

const platformDir = tempDir('platform');
const dir = tempDir('sm-openssl');
let node: TestNode;
let kms: KMSClient;
const text = (s: string) => new TextEncoder().encode(s);
const path = (name: string) => join(dir, name);
const SM4 = 'SM4' as KeySpec; // our key spec name: AWS has none for SM4

before(async () => {
  node = await startTestNode({ platformDir });
  ({ client: kms } = await node.tenant('shangmi'));
});
after(async () => {
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
  removeDir(dir);
});

/** openssl's verdict on an SM2 signature over `message` with distinguishing ID `id`. */
function opensslVerifies(publicKeyPem: string, message: Uint8Array, signature: Uint8Array, id: string): boolean {
  writeFileSync(path('pub.pem'), publicKeyPem);
  writeFileSync(path('msg'), message);
  writeFileSync(path('sig'), signature);
  try {
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', path('pub.pem'), '-rawin', '-in', path('msg'), '-sigfile', path('sig'), '-digest', 'sm3', '-pkeyopt', `distid:${id}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    return /Signature Verified Successfully/.test(out.toString());
  } catch {
    return false;
  }
}

/**
 * e = SM3(Z_A || M), written here from GB/T 32918.2 5.5 independently of the service's code:
 * Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA).
 */
function sm2Digest(spki: Uint8Array, id: string, message: Uint8Array): Buffer {
  const curve = Buffer.from(
    'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc' + '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93'
    + '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7' + 'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0', 'hex');
  const point = Buffer.from(spki).subarray(spki.length - 64); // uncompressed x || y ends the SPKI
  const idBytes = Buffer.from(id);
  const entl = Buffer.of((idBytes.length * 8) >> 8, (idBytes.length * 8) & 0xff);
  const z = createHash('sm3').update(Buffer.concat([entl, idBytes, curve, point])).digest();
  return createHash('sm3').update(z).update(message).digest();
}

describe('SM2 keys through the SDK', () => {
  it('SM2DSA: GetPublicKey is SPKI on the SM2 curve; signatures verify with openssl (distid 1234567812345678) and Verify', async () => {
    const meta = (await kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    assert.equal(meta.KeySpec, 'SM2');
    assert.deepEqual(meta.SigningAlgorithms, ['SM2DSA']);
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId }));
    assert.equal(pub.KeySpec, 'SM2');
    assert.deepEqual(pub.SigningAlgorithms, ['SM2DSA']);
    // SubjectPublicKeyInfo: id-ecPublicKey with the SM2 curve OID (1.2.156.10197.1.301), uncompressed point
    assert.equal(Buffer.from(pub.PublicKey!).subarray(0, 27).toString('hex'), '3059301306072a8648ce3d020106082a811ccf5501822d03420004');
    const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

    const message = randomBytes(300);
    const signed = await kms.send(new SignCommand({ KeyId: meta.KeyId, Message: message, SigningAlgorithm: 'SM2DSA' }));
    assert.equal(signed.SigningAlgorithm, 'SM2DSA');
    assert.ok(opensslVerifies(pem, message, signed.Signature!, '1234567812345678'));
    assert.ok(!opensslVerifies(pem, message, signed.Signature!, '1234567812345679'), 'the Z value binds the distinguishing ID');
    assert.equal((await kms.send(new VerifyCommand({ KeyId: meta.KeyId, Message: message, Signature: signed.Signature, SigningAlgorithm: 'SM2DSA' }))).SignatureValid, true);
    await assert.rejects(kms.send(new VerifyCommand({ KeyId: meta.KeyId, Message: randomBytes(300), Signature: signed.Signature, SigningAlgorithm: 'SM2DSA' })), KMSInvalidSignatureException);
    await assert.rejects(kms.send(new VerifyCommand({ KeyId: meta.KeyId, Message: message, Signature: text('not DER'), SigningAlgorithm: 'SM2DSA' })), KMSInvalidSignatureException);
    await assert.rejects(kms.send(new SignCommand({ KeyId: meta.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })), InvalidKeyUsageException);
  });

  it('SM2DSA with MessageType DIGEST signs e = SM3(Z_A || M) as given, so callers may use their own ID', async () => {
    const meta = (await kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId }))).PublicKey!;
    const pem = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;
    const message = text('signed through a digest');
    for (const id of ['1234567812345678', 'ALICE123@YAHOO.COM']) {
      const e = sm2Digest(spki, id, message);
      const signed = await kms.send(new SignCommand({ KeyId: meta.KeyId, Message: e, MessageType: 'DIGEST', SigningAlgorithm: 'SM2DSA' }));
      assert.ok(opensslVerifies(pem, message, signed.Signature!, id), `openssl verifies the DIGEST signature over the message with ID ${id}`);
      assert.equal((await kms.send(new VerifyCommand({ KeyId: meta.KeyId, Message: e, MessageType: 'DIGEST', Signature: signed.Signature, SigningAlgorithm: 'SM2DSA' }))).SignatureValid, true);
    }
    // RAW uses the default ID: its signature verifies as DIGEST over e with that ID
    const raw = await kms.send(new SignCommand({ KeyId: meta.KeyId, Message: message, SigningAlgorithm: 'SM2DSA' }));
    const e = sm2Digest(spki, '1234567812345678', message);
    assert.equal((await kms.send(new VerifyCommand({ KeyId: meta.KeyId, Message: e, MessageType: 'DIGEST', Signature: raw.Signature, SigningAlgorithm: 'SM2DSA' }))).SignatureValid, true);
    // a bare SM3(M) without Z signs, but is no SM2 signature of M
    const bare = await kms.send(new SignCommand({ KeyId: meta.KeyId, Message: createHash('sm3').update(message).digest(), MessageType: 'DIGEST', SigningAlgorithm: 'SM2DSA' }));
    assert.ok(!opensslVerifies(pem, message, bare.Signature!, '1234567812345678'));
    await assert.rejects(kms.send(new SignCommand({ KeyId: meta.KeyId, Message: new Uint8Array(48), MessageType: 'DIGEST', SigningAlgorithm: 'SM2DSA' })), { name: 'ValidationException' });
  });

  it('SM2PKE: EKMS decrypts what openssl encrypts to its public key, and its own ciphertexts', async () => {
    const meta = (await kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    assert.deepEqual(meta.EncryptionAlgorithms, ['SM2PKE']);
    const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId }))).PublicKey!;
    writeFileSync(path('enc.pem'), createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }));
    const plaintext = randomBytes(200);
    writeFileSync(path('plain'), plaintext);
    const fromOpenssl = execFileSync('openssl', ['pkeyutl', '-encrypt', '-pubin', '-inkey', path('enc.pem'), '-in', path('plain')]);
    const dec = await kms.send(new DecryptCommand({ KeyId: meta.KeyId, CiphertextBlob: fromOpenssl, EncryptionAlgorithm: 'SM2PKE' }));
    assert.deepEqual(Buffer.from(dec.Plaintext!), plaintext);
    assert.equal(dec.EncryptionAlgorithm, 'SM2PKE');

    const enc = await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('to SM2'), EncryptionAlgorithm: 'SM2PKE' }));
    assert.equal(enc.CiphertextBlob![0], 0x30, 'a DER SM2Cipher');
    assert.equal(new TextDecoder().decode((await kms.send(new DecryptCommand({ KeyId: meta.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' }))).Plaintext), 'to SM2');

    const altered = Uint8Array.from(enc.CiphertextBlob!);
    altered[altered.length - 1] ^= 1;
    await assert.rejects(kms.send(new DecryptCommand({ KeyId: meta.KeyId, CiphertextBlob: altered, EncryptionAlgorithm: 'SM2PKE' })), InvalidCiphertextException);
    await assert.rejects(kms.send(new DecryptCommand({ KeyId: meta.KeyId, CiphertextBlob: enc.CiphertextBlob })), InvalidKeyUsageException);
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('x') })), InvalidKeyUsageException);
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), InvalidKeyUsageException);
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: randomBytes(1025), EncryptionAlgorithm: 'SM2PKE' })), { name: 'ValidationException' });
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'SM2PKE', EncryptionContext: { a: 'b' } })), { name: 'ValidationException' });
    await assert.rejects(kms.send(new SignCommand({ KeyId: meta.KeyId, Message: text('x'), SigningAlgorithm: 'SM2DSA' })), InvalidKeyUsageException);
    // ReEncrypt from an SM2 key to an SM4 key and back
    const sm4 = (await kms.send(new CreateKeyCommand({ KeySpec: SM4 }))).KeyMetadata!.KeyId!;
    const toSm4 = await kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceKeyId: meta.KeyId, SourceEncryptionAlgorithm: 'SM2PKE', DestinationKeyId: sm4 }));
    assert.equal(toSm4.CiphertextBlob![0], 2);
    const toSm2 = await kms.send(new ReEncryptCommand({ CiphertextBlob: toSm4.CiphertextBlob, DestinationKeyId: meta.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' }));
    assert.equal(toSm2.DestinationEncryptionAlgorithm, 'SM2PKE');
    assert.equal(new TextDecoder().decode((await kms.send(new DecryptCommand({ KeyId: meta.KeyId, CiphertextBlob: toSm2.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' }))).Plaintext), 'to SM2');
    // no KeyId: an SM2Cipher is not an EKMS blob naming its key
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' })), InvalidCiphertextException);
  });

  it('GenerateDataKeyPair with KeyPairSpec SM2', async () => {
    const wrapping = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: wrapping.KeyId, KeyPairSpec: 'SM2' }));
    const privateKey = createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' });
    assert.equal(Buffer.from(pair.PublicKey!).subarray(0, 27).toString('hex'), '3059301306072a8648ce3d020106082a811ccf5501822d03420004');
    assert.deepEqual(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }), Buffer.from(pair.PublicKey!));
    const again = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    assert.deepEqual(Buffer.from(again.Plaintext!), Buffer.from(pair.PrivateKeyPlaintext!));
  });
});

describe('SM4 keys through the SDK', () => {
  it('Encrypt/Decrypt bind the encryption context; the blob names SM4 (format 2); tampering fails', async () => {
    const meta = (await kms.send(new CreateKeyCommand({ KeySpec: SM4 }))).KeyMetadata!;
    assert.equal(meta.KeySpec, 'SM4');
    assert.equal(meta.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.deepEqual(meta.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
    const context = { bucket: 'b', object: 'o' };
    const enc = await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('sm4 secret'), EncryptionContext: context }));
    const blob = enc.CiphertextBlob!;
    assert.equal(blob[0], 2);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'sm4 secret');
    assert.equal(dec.KeyId, meta.Arn);
    assert.equal(dec.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { bucket: 'b' } })), InvalidCiphertextException);
    for (const at of [blob.length - 1, blob.length - 20, 45]) {
      const altered = Uint8Array.from(blob);
      altered[at] ^= 0x40;
      await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: altered, EncryptionContext: context })), InvalidCiphertextException);
    }
    // the format byte must match the key's algorithm, both ways
    const relabeled = Uint8Array.from(blob);
    relabeled[0] = 1;
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: relabeled, EncryptionContext: context })), InvalidCiphertextException);
    const aes = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const aesBlob = Uint8Array.from((await kms.send(new EncryptCommand({ KeyId: aes.KeyId, Plaintext: randomBytes(64) }))).CiphertextBlob!);
    aesBlob[0] = 2;
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: aesBlob })), InvalidCiphertextException);
    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: aes.KeyId })), IncorrectKeyException);
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'SM2PKE' })), InvalidKeyUsageException);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!.KeySpec, 'SM4');
  });

  it('GenerateDataKey, rotation (old blobs still decrypt) and ReEncrypt between AES and SM4 keys', async () => {
    const meta = (await kms.send(new CreateKeyCommand({ KeySpec: SM4 }))).KeyMetadata!;
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: meta.KeyId, KeySpec: 'AES_128', EncryptionContext: { f: '1' } }));
    assert.equal(dk.Plaintext!.length, 16);
    const before = dk.CiphertextBlob!;
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: meta.KeyId }));
    const after = (await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: text('v2') }))).CiphertextBlob!;
    assert.notDeepEqual(Buffer.from(before).subarray(0, 42), Buffer.from(after).subarray(0, 42));
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: before, EncryptionContext: { f: '1' } }))).Plaintext!), Buffer.from(dk.Plaintext!));
    assert.equal(new TextDecoder().decode((await kms.send(new DecryptCommand({ CiphertextBlob: after }))).Plaintext), 'v2');

    const aes = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob: before, SourceEncryptionContext: { f: '1' }, DestinationKeyId: aes.KeyId }));
    assert.equal(moved.CiphertextBlob![0], 1);
    const back = await kms.send(new ReEncryptCommand({ CiphertextBlob: moved.CiphertextBlob, DestinationKeyId: meta.KeyId, DestinationEncryptionContext: { g: '2' } }));
    assert.equal(back.CiphertextBlob![0], 2);
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob, EncryptionContext: { g: '2' } }))).Plaintext!), Buffer.from(dk.Plaintext!));
  });

  it('SM4 keys do not sign, and SM4 is not a valid usage for signing', async () => {
    await assert.rejects(kms.send(new CreateKeyCommand({ KeySpec: SM4, KeyUsage: 'SIGN_VERIFY' })), { name: 'ValidationException' });
    const meta = (await kms.send(new CreateKeyCommand({ KeySpec: SM4 }))).KeyMetadata!;
    await assert.rejects(kms.send(new SignCommand({ KeyId: meta.KeyId, Message: text('x'), SigningAlgorithm: 'SM2DSA' })), InvalidKeyUsageException);
    await assert.rejects(kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId })), { name: 'UnsupportedOperationException' });
  });
});

describe('SM inputs (property-based, through the SDK)', () => {
  const clientErrors = /^(InvalidCiphertextException|ValidationException|InvalidKeyUsageException|KMSInvalidSignatureException|IncorrectKeyException|NotFoundException)$/;

  it('random and mutated ciphertexts for SM4 and SM2 keys are client errors, never internal ones', async () => {
    const sm4 = (await kms.send(new CreateKeyCommand({ KeySpec: SM4 }))).KeyMetadata!.KeyId!;
    const sm2 = (await kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!.KeyId!;
    const sm4Blob = (await kms.send(new EncryptCommand({ KeyId: sm4, Plaintext: text('p') }))).CiphertextBlob!;
    const sm2Blob = (await kms.send(new EncryptCommand({ KeyId: sm2, Plaintext: text('p'), EncryptionAlgorithm: 'SM2PKE' }))).CiphertextBlob!;
    const blob = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 200 }),
      fc.tuple(fc.constantFrom(sm4Blob, sm2Blob), fc.nat(200), fc.integer({ min: 1, max: 255 })).map(([b, at, flip]) => {
        const out = Uint8Array.from(b);
        out[at % out.length] ^= flip;
        return out;
      }),
    );
    await fc.assert(fc.asyncProperty(blob, fc.boolean(), async (CiphertextBlob, toSm2) => {
      const command = toSm2 ? new DecryptCommand({ KeyId: sm2, CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' }) : new DecryptCommand({ CiphertextBlob });
      await kms.send(command).then(
        () => assert.fail('an altered or random ciphertext decrypted'),
        (error: Error) => assert.match(error.name, clientErrors, error.message),
      );
    }), { numRuns: 60, seed: 21 });
  });

  it('random SM2 Sign/Verify inputs are answered or refused as client errors', async () => {
    const KeyId = (await kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.constantFrom('RAW', 'DIGEST'), fc.constantFrom('SM2DSA', 'ECDSA_SHA_256', 'RSASSA_PSS_SHA_256'), fc.uint8Array({ minLength: 1, maxLength: 80 }),
      async (Message, MessageType, SigningAlgorithm, Signature) => {
        for (const command of [new SignCommand({ KeyId, Message, MessageType, SigningAlgorithm }), new VerifyCommand({ KeyId, Message, MessageType, SigningAlgorithm, Signature })]) {
          await kms.send(command as SignCommand).catch((error: Error) => assert.match(error.name, clientErrors, error.message));
        }
      },
    ), { numRuns: 40, seed: 22 });
  });
});
