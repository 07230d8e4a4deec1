// The token end to end through its TypeScript API (the p11-kit RPC client in src/pkcs11/client.ts)
// against the real server and the token running in an enclave (sim backend). This reaches the
// mechanisms Debian 12's p11-kit-client.so does not forward (AES-GCM, AES-CBC, ECDSA-SHA256,
// ECDH, EdDSA, key wrap).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, createPublicKey, generateKeyPairSync, verify as nodeVerify, constants, publicEncrypt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { P11CallError, P11Client } from '../../src/pkcs11/client.js';
import { CKA, CKG, CKK, CKM, CKO, CKR, CKU } from '../../src/pkcs11/constants.js';
import type { Attribute } from '../../src/pkcs11/rpc/attributes.js';
import type { LengthOnly } from '../../src/pkcs11/rpc/message.js';
import { aesTemplate, ED25519, initToken, P256, SO_PIN, startTestToken, text, USER_PIN, userSession, type TokenFixture } from './helpers.js';

let fx: TokenFixture;
before(async () => {
  fx = await startTestToken();
  await initToken(fx.socketPath);
});
after(async () => fx.cleanup());

const rv = async (p: Promise<unknown>) => {
  try {
    await p;
    return CKR.OK;
  } catch (error) {
    if (error instanceof P11CallError) return error.rv;
    throw error;
  }
};
const M = (type: number) => ({ type, param: null });
const ecPair = (client: P11Client, s: number, token = false, extraPriv: Attribute[] = []) =>
  client.generateKeyPair(s, M(CKM.EC_KEY_PAIR_GEN), [{ type: CKA.EC_PARAMS, value: P256 }, { type: CKA.TOKEN, value: token }], [{ type: CKA.TOKEN, value: token }, ...extraPriv]);
async function publicKeyOf(client: P11Client, s: number, h: number) {
  const { results } = await client.getAttributes(s, h, [{ type: CKA.EC_POINT, capacity: 200 }]);
  const point = (results[0].value as Uint8Array).subarray(2);
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(point.subarray(1, 33)).toString('base64url'), y: Buffer.from(point.subarray(33)).toString('base64url') }, format: 'jwk' });
}

describe('PKCS#11 token in an enclave, through the TypeScript RPC client', () => {
  it('reports the slot, the initialized token and its mechanisms', async () => {
    const c = await P11Client.connect({ socketPath: fx.socketPath });
    try {
      assert.equal(c.version, 2);
      assert.deepEqual(await c.slots(), [1]);
      const info = await c.call('C_GetTokenInfo', [1]);
      assert.equal(new TextDecoder().decode(info[0] as Uint8Array).trim(), 'test token');
      assert.ok(((info[4] as number) & 0x400) !== 0, 'CKF_TOKEN_INITIALIZED');
      const [list] = await c.call('C_GetMechanismList', [1, { present: true, capacity: 64 }]);
      for (const m of [CKM.AES_GCM, CKM.ECDSA_SHA256, CKM.ECDH1_DERIVE, CKM.EDDSA, CKM.AES_KEY_WRAP_PAD]) assert.ok((list as number[]).includes(m));
      assert.equal(await rv(c.call('C_GetMechanismInfo', [1, 0x9999])), CKR.MECHANISM_INVALID);
      assert.equal(await rv(c.call('C_GetSlotInfo', [7])), CKR.SLOT_ID_INVALID);
    } finally {
      await c.close();
    }
  });

  it('signs with ECDSA (raw and SHA-256) so that node:crypto verifies; the private key never comes out', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const [pub, priv] = await ecPair(c, s);
      const data = text('message signed inside the enclave');
      const key = await publicKeyOf(c, s, pub);
      const sig = await c.sign(s, M(CKM.ECDSA_SHA256), priv, data);
      assert.ok(nodeVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig));
      const raw = await c.sign(s, M(CKM.ECDSA), priv, new Uint8Array(createHash('sha256').update(data).digest()));
      assert.ok(nodeVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, raw));
      await c.verify(s, M(CKM.ECDSA_SHA256), pub, data, sig);
      const bad = sig.slice();
      bad[5] ^= 1;
      assert.equal(await rv(c.verify(s, M(CKM.ECDSA_SHA256), pub, data, bad)), CKR.SIGNATURE_INVALID);
      // sensitive: the value is unavailable, with the right code; other attributes still answer
      const { results, rv: code } = await c.getAttributes(s, priv, [{ type: CKA.VALUE, capacity: 100 }, { type: CKA.KEY_TYPE, capacity: 8 }, { type: CKA.EC_POINT, capacity: 100 }]);
      assert.equal(code, CKR.ATTRIBUTE_SENSITIVE);
      assert.equal(results[0].length, -1);
      assert.equal(results[1].value, CKK.EC);
      assert.equal(results[2].length, -1, 'a private key has no CKA_EC_POINT');
      // size query then a buffer too small
      const sized = await c.getAttributes(s, pub, [{ type: CKA.EC_POINT, capacity: 0 }]);
      assert.deepEqual(sized.results[0], { type: CKA.EC_POINT, length: 67 });
      const small = await c.getAttributes(s, pub, [{ type: CKA.EC_POINT, capacity: 10 }]);
      assert.equal(small.rv, CKR.BUFFER_TOO_SMALL);
      // a sign size query does not end the operation
      await c.call('C_SignInit', [s, M(CKM.ECDSA_SHA256), priv]);
      const [len] = await c.call('C_Sign', [s, data, { present: false, capacity: 0 }]);
      assert.deepEqual(len as LengthOnly, { lengthOnly: 64 });
      const [tooSmall] = await c.call('C_Sign', [s, data, { present: true, capacity: 10 }]);
      assert.deepEqual(tooSmall, { lengthOnly: 64 });
      const [done] = await c.call('C_Sign', [s, data, { present: true, capacity: 64 }]);
      assert.ok(nodeVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, done as Uint8Array));
      assert.equal(await rv(c.call('C_Sign', [s, data, { present: true, capacity: 64 }])), CKR.OPERATION_NOT_INITIALIZED);
    } finally {
      await c.close();
    }
  });

  it('encrypts with AES-GCM and AES-CBC-PAD (single and multi-part) as node:crypto does; a bad tag is ENCRYPTED_DATA_INVALID', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const h = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate([{ type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true }]));
      const { results } = await c.getAttributes(s, h, [{ type: CKA.VALUE, capacity: 32 }]);
      const key = results[0].value as Uint8Array;
      const iv = new Uint8Array(12).fill(7);
      const aad = text('header');
      const gcm = { type: CKM.AES_GCM, param: { kind: 'gcm' as const, iv, ivBits: 96, aad, tagBits: 128 } };
      const plain = new Uint8Array(4096).map((_, i) => i & 0xff);
      const ct = await c.encrypt(s, gcm, h, plain);
      const ref = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      const expected = Buffer.concat([ref.update(plain), ref.final(), ref.getAuthTag()]);
      assert.deepEqual(Buffer.from(ct), expected);
      assert.deepEqual(await c.decrypt(s, gcm, h, ct), plain);
      const tampered = ct.slice();
      tampered[100] ^= 1;
      assert.equal(await rv(c.decrypt(s, gcm, h, tampered)), CKR.ENCRYPTED_DATA_INVALID);
      // CBC-PAD, multi-part, odd chunk sizes
      const cbc = { type: CKM.AES_CBC_PAD, param: { kind: 'iv' as const, iv: new Uint8Array(16).fill(3) } };
      await c.call('C_EncryptInit', [s, cbc, h]);
      const parts: Uint8Array[] = [];
      for (const n of [5, 30, 17, 1]) parts.push(await c.bytesCall('C_EncryptUpdate', [s, plain.subarray(0, n)]));
      parts.push(await c.bytesCall('C_EncryptFinal', [s]));
      const refCbc = createCipheriv('aes-256-cbc', key, new Uint8Array(16).fill(3));
      const input = Buffer.concat([5, 30, 17, 1].map((n) => plain.subarray(0, n)));
      assert.deepEqual(Buffer.concat(parts), Buffer.concat([refCbc.update(input), refCbc.final()]));
      assert.deepEqual(Buffer.from(await c.decrypt(s, cbc, h, Buffer.concat(parts))), input);
      const d = createDecipheriv('aes-256-cbc', key, new Uint8Array(16).fill(3));
      assert.deepEqual(Buffer.concat([d.update(Buffer.concat(parts)), d.final()]), input);
    } finally {
      await c.close();
    }
  });

  it('signs with Ed25519 so that node:crypto verifies', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const [edPub, edPriv] = await c.generateKeyPair(s, M(CKM.EC_EDWARDS_KEY_PAIR_GEN), [{ type: CKA.EC_PARAMS, value: ED25519 }], []);
      const msg = text('ed25519 inside');
      const sig = await c.sign(s, M(CKM.EDDSA), edPriv, msg);
      const { results } = await c.getAttributes(s, edPub, [{ type: CKA.EC_POINT, capacity: 64 }]);
      const x = (results[0].value as Uint8Array).subarray(2);
      assert.ok(nodeVerify(null, msg, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(x).toString('base64url') }, format: 'jwk' }), sig));
    } finally {
      await c.close();
    }
  });

  it('ECDH: both sides of the exchange agree', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const [pub, priv] = await ecPair(c, s, false, [{ type: CKA.DERIVE, value: true }]);
      const peer = createECDH('prime256v1');
      peer.generateKeys();
      const [h] = await c.call('C_DeriveKey', [s, { type: CKM.ECDH1_DERIVE, param: { kind: 'ecdh1', kdf: 1, sharedData: null, publicData: new Uint8Array(peer.getPublicKey()) } }, priv, [
        { type: CKA.CLASS, value: CKO.SECRET_KEY }, { type: CKA.KEY_TYPE, value: CKK.GENERIC_SECRET }, { type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true },
      ]]);
      const { results } = await c.getAttributes(s, h as number, [{ type: CKA.VALUE, capacity: 64 }]);
      const { results: p } = await c.getAttributes(s, pub, [{ type: CKA.EC_POINT, capacity: 100 }]);
      const expected = peer.computeSecret((p[0].value as Uint8Array).subarray(2));
      assert.deepEqual(Buffer.from(results[0].value as Uint8Array), expected);
    } finally {
      await c.close();
    }
  });

  it('RSA: PSS (raw and SHA-256) and OAEP interoperate with node:crypto', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const [pub, priv] = await c.generateKeyPair(s, M(CKM.RSA_PKCS_KEY_PAIR_GEN), [{ type: CKA.MODULUS_BITS, value: 2048 }], []);
      const { results } = await c.getAttributes(s, pub, [{ type: CKA.MODULUS, capacity: 512 }, { type: CKA.PUBLIC_EXPONENT, capacity: 8 }]);
      const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(results[0].value as Uint8Array).toString('base64url'), e: Buffer.from(results[1].value as Uint8Array).toString('base64url') }, format: 'jwk' });
      const data = text('pss');
      const pss = { kind: 'pss' as const, hashAlg: CKM.SHA256, mgf: CKG.MGF1_SHA256, sLen: 32 };
      const sig = await c.sign(s, { type: CKM.SHA256_RSA_PKCS_PSS, param: pss }, priv, data);
      assert.ok(nodeVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig));
      const raw = await c.sign(s, { type: CKM.RSA_PKCS_PSS, param: pss }, priv, new Uint8Array(createHash('sha256').update(data).digest()));
      assert.ok(nodeVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, raw));
      await c.verify(s, { type: CKM.SHA256_RSA_PKCS_PSS, param: pss }, pub, data, raw);
      const oaep = { type: CKM.RSA_PKCS_OAEP, param: { kind: 'oaep' as const, hashAlg: CKM.SHA256, mgf: CKG.MGF1_SHA256, source: 1, sourceData: null } };
      const ct = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, text('secret'));
      assert.deepEqual(await c.decrypt(s, oaep, priv, ct), text('secret'));
      assert.equal(await rv(c.decrypt(s, M(CKM.RSA_PKCS), priv, ct)), CKR.MECHANISM_INVALID, 'PKCS#1 v1.5 decryption is not offered');
    } finally {
      await c.close();
    }
  });

  it('wraps an AES key with AES-KW-PAD (RFC 5649, as node:crypto) and unwraps it; an unextractable key does not wrap', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const kek = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate([{ type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true }]));
      const inner = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate([{ type: CKA.EXTRACTABLE, value: true }]));
      const locked = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate());
      const wrapped = await c.bytesCall('C_WrapKey', [s, M(CKM.AES_KEY_WRAP_PAD), kek, inner]);
      assert.equal(wrapped.byteLength, 40);
      const kekValue = (await c.getAttributes(s, kek, [{ type: CKA.VALUE, capacity: 32 }])).results[0].value as Uint8Array;
      const unwrappedByNode = createDecipheriv('id-aes256-wrap-pad', kekValue, Buffer.from('a65959a6', 'hex'));
      const innerValue = Buffer.concat([unwrappedByNode.update(wrapped), unwrappedByNode.final()]);
      assert.equal(innerValue.byteLength, 32);
      const [back] = await c.call('C_UnwrapKey', [s, M(CKM.AES_KEY_WRAP_PAD), kek, wrapped, aesTemplate().filter((a) => a.type !== CKA.VALUE_LEN)]);
      const gcm = { type: CKM.AES_GCM, param: { kind: 'gcm' as const, iv: new Uint8Array(12), ivBits: 96, aad: null, tagBits: 128 } };
      const ct = await c.encrypt(s, gcm, back as number, text('same key'));
      const d = createDecipheriv('aes-256-gcm', innerValue, new Uint8Array(12));
      d.setAuthTag(ct.subarray(ct.byteLength - 16));
      assert.deepEqual(Buffer.concat([d.update(ct.subarray(0, ct.byteLength - 16)), d.final()]).toString(), 'same key');
      assert.equal(await rv(c.call('C_WrapKey', [s, M(CKM.AES_KEY_WRAP_PAD), kek, locked, { present: true, capacity: 64 }])), CKR.KEY_UNEXTRACTABLE);
    } finally {
      await c.close();
    }
  });

  it('wraps a P-384 private key (PKCS#8 under AES-KW-PAD) and unwraps it; imports a P-256 key; RSA-OAEP wraps an AES key', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const P384 = Uint8Array.from([0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]);
      const [pub, priv] = await c.generateKeyPair(s, M(CKM.EC_KEY_PAIR_GEN), [{ type: CKA.EC_PARAMS, value: P384 }], [{ type: CKA.EXTRACTABLE, value: true }]);
      const kek = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate());
      const wrapped = await c.bytesCall('C_WrapKey', [s, M(CKM.AES_KEY_WRAP_PAD), kek, priv]);
      const [back] = await c.call('C_UnwrapKey', [s, M(CKM.AES_KEY_WRAP_PAD), kek, wrapped, [{ type: CKA.CLASS, value: CKO.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: CKK.EC }, { type: CKA.SIGN, value: true }]]);
      const { results } = await c.getAttributes(s, pub, [{ type: CKA.EC_POINT, capacity: 200 }]);
      const point = (results[0].value as Uint8Array).subarray(2);
      const key384 = createPublicKey({ key: { kty: 'EC', crv: 'P-384', x: Buffer.from(point.subarray(1, 49)).toString('base64url'), y: Buffer.from(point.subarray(49)).toString('base64url') }, format: 'jwk' });
      const data = text('unwrapped P-384 key');
      assert.ok(nodeVerify('sha384', data, { key: key384, dsaEncoding: 'ieee-p1363' }, await c.sign(s, M(CKM.ECDSA_SHA384), back as number, data)));

      const mine = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = mine.privateKey.export({ format: 'jwk' });
      const [imported] = await c.call('C_CreateObject', [s, [{ type: CKA.CLASS, value: CKO.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: CKK.EC }, { type: CKA.EC_PARAMS, value: P256 }, { type: CKA.VALUE, value: new Uint8Array(Buffer.from(jwk.d!, 'base64url')) }, { type: CKA.SIGN, value: true }]]);
      assert.ok(nodeVerify('sha256', data, { key: mine.publicKey, dsaEncoding: 'ieee-p1363' }, await c.sign(s, M(CKM.ECDSA_SHA256), imported as number, data)));
      const attrs = await c.getAttributes(s, imported as number, [{ type: CKA.LOCAL, capacity: 1 }, { type: CKA.ALWAYS_SENSITIVE, capacity: 1 }]);
      assert.deepEqual(attrs.results.map((r) => r.value), [false, false], 'an imported key is neither local nor always sensitive');

      const [rsaPub, rsaPriv] = await c.generateKeyPair(s, M(CKM.RSA_PKCS_KEY_PAIR_GEN), [{ type: CKA.MODULUS_BITS, value: 2048 }], []);
      const aes = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate([{ type: CKA.EXTRACTABLE, value: true }]));
      const oaep = { type: CKM.RSA_PKCS_OAEP, param: { kind: 'oaep' as const, hashAlg: CKM.SHA256, mgf: CKG.MGF1_SHA256, source: 1, sourceData: null } };
      const wrappedAes = await c.bytesCall('C_WrapKey', [s, oaep, rsaPub, aes]);
      assert.equal(wrappedAes.byteLength, 256);
      const [aes2] = await c.call('C_UnwrapKey', [s, oaep, rsaPriv, wrappedAes, aesTemplate().filter((a) => a.type !== CKA.VALUE_LEN)]);
      const gcm = { type: CKM.AES_GCM, param: { kind: 'gcm' as const, iv: new Uint8Array(12).fill(1), ivBits: 96, aad: null, tagBits: 128 } };
      assert.deepEqual(await c.encrypt(s, gcm, aes2 as number, data), await c.encrypt(s, gcm, aes, data));
    } finally {
      await c.close();
    }
  });

  it('keeps token objects sealed across a restart; session objects die; the store holds no key in the clear', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    const label = text('persistent-key');
    const [pub, priv] = await c.generateKeyPair(s, M(CKM.EC_KEY_PAIR_GEN), [{ type: CKA.EC_PARAMS, value: P256 }, { type: CKA.TOKEN, value: true }, { type: CKA.LABEL, value: label }], [{ type: CKA.TOKEN, value: true }, { type: CKA.LABEL, value: label }]);
    const before = await publicKeyOf(c, s, pub);
    await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate([{ type: CKA.LABEL, value: text('session-only') }]));
    void priv;
    await c.close();
    const files = readdirSync(fx.storeDir);
    assert.ok(files.every((f) => f.endsWith('.sealed') || f === 'signing-key.pem'), `only sealed blobs: ${files}`);
    const point = before.export({ format: 'jwk' }).x!;
    for (const f of files) assert.ok(!readFileSync(join(fx.storeDir, f)).includes(Buffer.from(point, 'base64url')), 'blobs are encrypted');

    await fx.restart();
    const again = await userSession(fx.socketPath);
    try {
      await again.client.call('C_FindObjectsInit', [again.session, [{ type: CKA.LABEL, value: label }, { type: CKA.CLASS, value: CKO.PRIVATE_KEY }]]);
      const [found] = await again.client.call('C_FindObjects', [again.session, { present: true, capacity: 10 }]);
      await again.client.call('C_FindObjectsFinal', [again.session]);
      assert.equal((found as number[]).length, 1);
      const data = text('after restart');
      const sig = await again.client.sign(again.session, M(CKM.ECDSA_SHA256), (found as number[])[0], data);
      assert.ok(nodeVerify('sha256', data, { key: before, dsaEncoding: 'ieee-p1363' }, sig));
      await again.client.call('C_FindObjectsInit', [again.session, [{ type: CKA.LABEL, value: text('session-only') }]]);
      const [gone] = await again.client.call('C_FindObjects', [again.session, { present: true, capacity: 10 }]);
      assert.deepEqual(gone, []);
    } finally {
      await again.client.close();
    }
  });

  it('objects: data and certificate objects, attribute rules on C_SetAttributeValue, C_CopyObject, multi-part digest and HMAC', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      const [data] = await c.call('C_CreateObject', [s, [{ type: CKA.CLASS, value: CKO.DATA }, { type: CKA.LABEL, value: text('note') }, { type: CKA.VALUE, value: text('plain data') }]]);
      assert.deepEqual((await c.getAttributes(s, data as number, [{ type: CKA.VALUE, capacity: 64 }])).results[0].value, text('plain data'));
      assert.equal(await rv(c.call('C_CreateObject', [s, [{ type: CKA.CLASS, value: 1 }, { type: CKA.CERTIFICATE_TYPE, value: 0 }]])), CKR.TEMPLATE_INCOMPLETE);
      const [cert] = await c.call('C_CreateObject', [s, [{ type: CKA.CLASS, value: 1 }, { type: CKA.CERTIFICATE_TYPE, value: 0 }, { type: CKA.SUBJECT, value: text('subject') }, { type: CKA.VALUE, value: text('der') }]]);
      assert.ok((cert as number) > 0);
      const key = await c.generateKey(s, M(CKM.AES_KEY_GEN), aesTemplate());
      await c.call('C_SetAttributeValue', [s, key, [{ type: CKA.LABEL, value: text('renamed') }]]);
      assert.deepEqual((await c.getAttributes(s, key, [{ type: CKA.LABEL, capacity: 32 }])).results[0].value, text('renamed'));
      assert.equal(await rv(c.call('C_SetAttributeValue', [s, key, [{ type: CKA.SENSITIVE, value: false }]])), CKR.ATTRIBUTE_READ_ONLY);
      assert.equal(await rv(c.call('C_SetAttributeValue', [s, key, [{ type: CKA.VALUE, value: new Uint8Array(32) }]])), CKR.ATTRIBUTE_READ_ONLY);
      const [copy] = await c.call('C_CopyObject', [s, key, [{ type: CKA.LABEL, value: text('copy') }]]);
      const copied = await c.getAttributes(s, copy as number, [{ type: CKA.LABEL, capacity: 32 }, { type: CKA.NEVER_EXTRACTABLE, capacity: 1 }]);
      assert.deepEqual(copied.results.map((r) => r.value), [text('copy'), true]);
      await c.call('C_DigestInit', [s, M(CKM.SHA256)]);
      await c.call('C_DigestUpdate', [s, text('ab')]);
      await c.call('C_DigestUpdate', [s, text('c')]);
      assert.deepEqual(Buffer.from(await c.bytesCall('C_DigestFinal', [s])), createHash('sha256').update('abc').digest());
      const [mac] = await c.call('C_CreateObject', [s, [{ type: CKA.CLASS, value: CKO.SECRET_KEY }, { type: CKA.KEY_TYPE, value: CKK.GENERIC_SECRET }, { type: CKA.VALUE, value: text('hmac key') }]]);
      const tag = await c.sign(s, M(CKM.SHA256_HMAC), mac as number, text('msg'));
      assert.deepEqual(Buffer.from(tag), createHmac('sha256', 'hmac key').update('msg').digest());
      await c.verify(s, M(CKM.SHA256_HMAC), mac as number, text('msg'), tag);
    } finally {
      await c.close();
    }
  });

  it('protocol versions: C_InitToken2 is refused before version 1, C_DeriveKey2 answers CK_RV, parameter update and key', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath, 2);
    try {
      const [, priv] = await ecPair(c, s, false, [{ type: CKA.DERIVE, value: true }]);
      const peer = createECDH('prime256v1');
      peer.generateKeys();
      const out = await c.call('C_DeriveKey2', [s, { type: CKM.ECDH1_DERIVE, param: { kind: 'ecdh1', kdf: 1, sharedData: null, publicData: new Uint8Array(peer.getPublicKey()) } }, priv, [{ type: CKA.CLASS, value: CKO.SECRET_KEY }, { type: CKA.KEY_TYPE, value: CKK.AES }, { type: CKA.VALUE_LEN, value: 32 }]]);
      assert.equal(out[0], CKR.OK);
      assert.equal(out[1], 1);
      assert.ok((out[2] as number) > 0);
    } finally {
      await c.close();
    }
    const v0 = await P11Client.connect({ socketPath: fx.socketPath, version: 0 });
    await assert.rejects(v0.call('C_InitToken2', [1, text(SO_PIN), new Uint8Array(32).fill(0x20)]), /closed/);
  });

  it('C_SetPIN changes the user PIN (old PIN checked)', async () => {
    const { client: c, session: s } = await userSession(fx.socketPath);
    try {
      assert.equal(await rv(c.call('C_SetPIN', [s, text('wrong'), text('5678')])), CKR.PIN_INCORRECT);
      assert.equal(await rv(c.call('C_SetPIN', [s, text(USER_PIN), text('12')])), CKR.PIN_LEN_RANGE);
      await c.call('C_SetPIN', [s, text(USER_PIN), text('5678')]);
      await c.call('C_Logout', [s]);
      assert.equal(await rv(c.login(s, CKU.USER, USER_PIN)), CKR.PIN_INCORRECT);
      await c.login(s, CKU.USER, '5678');
      await c.call('C_SetPIN', [s, text('5678'), text(USER_PIN)]);
    } finally {
      await c.close();
    }
  });

  it('counts wrong PINs, locks at five (sealed, so a restart does not reset it), and hides private objects before login', async () => {
    const c = await P11Client.connect({ socketPath: fx.socketPath });
    const s = await c.openSession(1, true);
    assert.equal(await rv(c.call('C_GenerateKey', [s, M(CKM.AES_KEY_GEN), aesTemplate()])), CKR.USER_NOT_LOGGED_IN);
    assert.equal(await rv(c.login(s, CKU.USER, 'wrong')), CKR.PIN_INCORRECT);
    await c.login(s, CKU.USER, USER_PIN);
    assert.equal(await rv(c.login(s, CKU.USER, USER_PIN)), CKR.USER_ALREADY_LOGGED_IN);
    await c.call('C_Logout', [s]);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await rv(c.login(s, CKU.USER, 'nope')));
    assert.deepEqual(results, [CKR.PIN_INCORRECT, CKR.PIN_INCORRECT, CKR.PIN_INCORRECT, CKR.PIN_INCORRECT, CKR.PIN_LOCKED]);
    await c.close();
    await fx.restart();
    const d = await P11Client.connect({ socketPath: fx.socketPath });
    try {
      const s2 = await d.openSession(1, true);
      assert.equal(await rv(d.login(s2, CKU.USER, USER_PIN)), CKR.PIN_LOCKED, 'still locked after a restart');
      const flags = (await d.call('C_GetTokenInfo', [1]))[4] as number;
      assert.ok((flags & 0x40000) !== 0, 'CKF_USER_PIN_LOCKED');
      // the SO unlocks by setting a new user PIN
      await d.login(s2, CKU.SO, SO_PIN);
      await d.call('C_InitPIN', [s2, text(USER_PIN)]);
      await d.call('C_Logout', [s2]);
      await d.login(s2, CKU.USER, USER_PIN);
    } finally {
      await d.close();
    }
  });
});
