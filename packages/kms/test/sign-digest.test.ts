// Sign/Verify with MessageType DIGEST through the SDK: a signature over a digest verifies with
// node:crypto against the original message, and RAW and DIGEST signatures verify either way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import {
  CreateKeyCommand, GetPublicKeyCommand, InvalidKeyUsageException, KMSInvalidSignatureException, SignCommand, VerifyCommand, type KMSClient,
  type KeySpec, type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { removeDir, startTestNode, tempDir, type TestNode } from './helpers/ekms.js';

const platformDir = tempDir('platform');
let node: TestNode;
let kms: KMSClient;
const keys = new Map<string, string>();

before(async () => {
  node = await startTestNode({ platformDir });
  ({ client: kms } = await node.tenant('digests'));
});
after(async () => {
  await node?.stop();
  removeDir(node.dataDir);
  removeDir(platformDir);
});

async function signingKey(spec: KeySpec): Promise<string> {
  let id = keys.get(spec);
  if (!id) {
    id = (await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    keys.set(spec, id);
  }
  return id;
}

const CASES: Array<[KeySpec, SigningAlgorithmSpec]> = [
  ['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_P384', 'ECDSA_SHA_384'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ['RSA_2048', 'RSASSA_PSS_SHA_256'], ['RSA_2048', 'RSASSA_PSS_SHA_384'], ['RSA_2048', 'RSASSA_PSS_SHA_512'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512'],
];

describe('Sign/Verify with MessageType DIGEST', () => {
  for (const [spec, algorithm] of CASES) {
    it(`${spec} ${algorithm}: DIGEST signatures verify with node:crypto over the message; RAW and DIGEST cross-verify`, async () => {
      const KeyId = await signingKey(spec);
      const hash = `sha${algorithm.slice(-3)}`;
      const message = new TextEncoder().encode(`a message signed as its ${hash} digest`);
      const digest = createHash(hash).update(message).digest();
      const publicKey = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!), format: 'der', type: 'spki' });
      const options = algorithm.startsWith('RSASSA_PSS')
        ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : algorithm.startsWith('RSASSA_PKCS1') ? { padding: constants.RSA_PKCS1_PADDING } : {};

      const signed = await kms.send(new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }));
      assert.ok(verifySignature(hash, message, { key: publicKey, ...options }, signed.Signature!), 'node:crypto verifies the DIGEST signature over the message');
      for (const [Message, MessageType] of [[digest, 'DIGEST'], [message, 'RAW']] as const) {
        const ok = await kms.send(new VerifyCommand({ KeyId, Message, MessageType, Signature: signed.Signature, SigningAlgorithm: algorithm }));
        assert.equal(ok.SignatureValid, true);
      }
      const raw = await kms.send(new SignCommand({ KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
      assert.equal((await kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: raw.Signature, SigningAlgorithm: algorithm }))).SignatureValid, true);

      const altered = Buffer.from(digest);
      altered[0] ^= 1;
      await assert.rejects(kms.send(new VerifyCommand({ KeyId, Message: altered, MessageType: 'DIGEST', Signature: signed.Signature, SigningAlgorithm: algorithm })), KMSInvalidSignatureException);
      // a digest is not hashed again: the digest sent as RAW is another message
      await assert.rejects(kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: algorithm })), KMSInvalidSignatureException);
    });
  }

  it('a digest of the wrong length for the algorithm is a ValidationException', async () => {
    const ec = await signingKey('ECC_NIST_P256');
    const rsa = await signingKey('RSA_2048');
    for (const [KeyId, SigningAlgorithm, length] of [[ec, 'ECDSA_SHA_256', 31], [ec, 'ECDSA_SHA_256', 48], [rsa, 'RSASSA_PSS_SHA_512', 32], [rsa, 'RSASSA_PKCS1_V1_5_SHA_384', 64]] as const) {
      await assert.rejects(kms.send(new SignCommand({ KeyId, Message: new Uint8Array(length), MessageType: 'DIGEST', SigningAlgorithm })), { name: 'ValidationException' });
      await assert.rejects(kms.send(new VerifyCommand({ KeyId, Message: new Uint8Array(length), MessageType: 'DIGEST', Signature: new Uint8Array(64), SigningAlgorithm })), { name: 'ValidationException' });
    }
  });

  it('garbage signatures over a digest fail as KMSInvalidSignatureException, never an internal error', async () => {
    const digest = createHash('sha256').update('m').digest();
    for (const [spec, SigningAlgorithm] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PSS_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256']] as const) {
      const KeyId = await signingKey(spec);
      for (const Signature of [new Uint8Array(1), new Uint8Array(256).fill(0xff), new Uint8Array(256), new Uint8Array(72).fill(0x30)]) {
        await assert.rejects(kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature, SigningAlgorithm })), KMSInvalidSignatureException);
      }
    }
  });

  it('wrong key usage and algorithms are refused', async () => {
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await assert.rejects(kms.send(new SignCommand({ KeyId: symmetric, Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })), InvalidKeyUsageException);
    const ec = await signingKey('ECC_NIST_P256');
    await assert.rejects(kms.send(new SignCommand({ KeyId: ec, Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), InvalidKeyUsageException);
    await assert.rejects(kms.send(new SignCommand({ KeyId: ec, Message: new Uint8Array(32), MessageType: 'DIGEST', SigningAlgorithm: 'SM2DSA' })), InvalidKeyUsageException);
  });

  it('a key policy can deny DIGEST signing with the kms:MessageType condition key', async () => {
    const account = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.AWSAccountId!;
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:Sign', Resource: '*', Condition: { StringEquals: { 'kms:MessageType': 'DIGEST' } } },
        { Effect: 'Deny', Principal: '*', Action: 'kms:Verify', Resource: '*', Condition: { StringNotEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } } },
      ],
    });
    const KeyId = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy }))).KeyMetadata!.KeyId!;
    const message = new TextEncoder().encode('policy');
    const raw = await kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    await assert.rejects(kms.send(new SignCommand({ KeyId, Message: createHash('sha256').update(message).digest(), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })), { name: 'AccessDeniedException' });
    assert.equal((await kms.send(new VerifyCommand({ KeyId, Message: createHash('sha256').update(message).digest(), MessageType: 'DIGEST', Signature: raw.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }))).SignatureValid, true);
    await assert.rejects(kms.send(new VerifyCommand({ KeyId, Message: message, Signature: raw.Signature, SigningAlgorithm: 'ECDSA_SHA_384' })), { name: 'AccessDeniedException' });
  });
});
