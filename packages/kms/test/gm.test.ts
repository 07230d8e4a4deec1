// SM2, SM3 and SM4 against the standards' examples and against an independent implementation
// (the openssl CLI, OpenSSL 3), plus property tests of the parsers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  decodeSignature, encodeSignature, messageDigest, privateScalarFromPkcs8, publicPointFromSpki, signDigest, sm2Group, SM2, verifyDigest,
  withTables, zValue, type CurveParams,
} from '../src/enclave/gm/sm2.js';
import { sm2Decrypt, sm2Encrypt, Sm2DecryptionError } from '../src/enclave/gm/sm2-encryption.js';
import { sm4Open, sm4Seal, Sm4AuthenticationError } from '../src/enclave/gm/sm4-aead.js';
import { BlobFormat, encodeHeader, parseCiphertext } from '../src/common/ciphertext-blob.js';
import { KmsError } from '../src/common/kms-error.js';
import { removeDir, tempDir } from './helpers/ekms.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const big = (s: string) => BigInt('0x' + s.replace(/\s+/g, ''));
const text = (s: string) => new TextEncoder().encode(s);

// the Fp-256 example curve of GB/T 32918 parts 2 and 4 (also draft-shen-sm2-ecdsa)
const TEST_CURVE: CurveParams = {
  p: big('8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3'),
  a: big('787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498'),
  b: big('63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A'),
  Gx: big('421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D'),
  Gy: big('0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2'),
  n: big('8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7'),
};

describe('SM3 and SM4 standard examples (node:crypto)', () => {
  it('SM3 (GB/T 32905 appendix A)', () => {
    assert.equal(createHash('sm3').update('abc').digest('hex'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    assert.equal(createHash('sm3').update('abcd'.repeat(16)).digest('hex'), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('SM4 (GB/T 32907 appendix A): one block, and 1,000,000 encryptions', () => {
    const key = hex('0123456789abcdeffedcba9876543210');
    const ecb = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    assert.equal(Buffer.from(ecb.update(key)).toString('hex'), '681edf34d206965e86b3e94f536e4246');
    let block: Uint8Array = key;
    const repeated = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    for (let i = 0; i < 1_000_000; i++) block = repeated.update(block);
    assert.equal(Buffer.from(block).toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
  });
});

describe('SM2 known answers (GB/T 32918 / GM/T 0003 examples)', () => {
  it('signature on the example curve, ID ALICE123@YAHOO.COM', () => {
    const group = sm2Group(TEST_CURVE);
    const d = big('128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263');
    const publicKey = group.Point.BASE.multiply(d);
    const e = messageDigest(group, publicKey, text('message digest'), text('ALICE123@YAHOO.COM'));
    const k = big('6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F');
    const signature = signDigest(group, d, e, k);
    assert.equal(signature.r, big('40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1'));
    assert.equal(signature.s, big('6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7'));
    assert.ok(verifyDigest(group, publicKey, e, signature));
    assert.ok(!verifyDigest(group, publicKey, messageDigest(group, publicKey, text('message digesT'), text('ALICE123@YAHOO.COM')), signature));
  });

  it('signature on the SM2 curve with the default ID (GM/T 0003.5 annex A)', () => {
    const d = big('3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8');
    const publicKey = SM2.Point.BASE.multiply(d);
    const e = messageDigest(SM2, publicKey, text('message digest'));
    const signature = signDigest(SM2, d, e, big('59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21'));
    assert.equal(signature.r, big('F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3'));
    assert.equal(signature.s, big('B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA'));
    assert.ok(verifyDigest(SM2, publicKey, e, signature));
    assert.deepEqual(decodeSignature(encodeSignature(signature)), signature);
  });

  it('encryption on the SM2 curve (GM/T 0003.5 annex C, serialized per GM/T 0009)', () => {
    const d = big('3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8');
    const k = big('59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21');
    const ciphertext = sm2Encrypt(SM2.Point.BASE.multiply(d), text('encryption standard'), SM2, k);
    assert.equal(Buffer.from(ciphertext).toString('hex').toUpperCase(), [
      '307C', '0220', '04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73',
      '0221', '00E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0',
      '0420', '59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766', '0413', '21886CA989CA9C7D58087307CA93092D651EFA',
    ].join(''));
    assert.equal(new TextDecoder().decode(sm2Decrypt(d, ciphertext)), 'encryption standard');
  });

  it('encryption on the example curve (GB/T 32918.4 annex)', () => {
    const group = sm2Group(TEST_CURVE);
    const d = big('1649AB77 A00637BD 5E2EFE28 3FBF3535 34AA7F7C B89463F2 08DDBC29 20BB0DA0');
    const k = big('4C62EEFD 6ECFC2B9 5B92FD6C 3D957514 8AFA1742 5546D490 18E5388D 49DD7B4F');
    const ciphertext = sm2Encrypt(group.Point.BASE.multiply(d), text('encryption standard'), group, k);
    assert.equal(Buffer.from(ciphertext).toString('hex').toUpperCase(),
      '307B0220245C26FB68B1DDDDB12C4B6BF9F2B6D5FE60A383B0D18D1C4144ABF17F6252E7022076CB9264C2A7E88E52B19903FDC47378F605E36811F5C07423A2'
      + '4B84400F01B804209C3D7360C30156FAB7C80A0276712DA9D8094A634B766D3A285E07480653426D0413650053A89B41C418B0C3AAD00D886C00286467');
    assert.equal(new TextDecoder().decode(sm2Decrypt(d, ciphertext, group)), 'encryption standard');
  });
});

describe('SM2 and SM4 against the openssl CLI', () => {
  const dir = tempDir('gm');
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let d: bigint;
  let publicKey: ReturnType<typeof publicPointFromSpki>;
  before(() => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    writeFileSync(path('key.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path('pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    d = privateScalarFromPkcs8(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    publicKey = publicPointFromSpki(pair.publicKey.export({ type: 'spki', format: 'der' }));
    assert.ok(SM2.Point.BASE.multiply(d).equals(publicKey));
  });
  after(() => removeDir(dir));

  for (const id of ['1234567812345678', 'alice@example.cn']) {
    it(`signatures verify both ways with distid ${id}`, () => {
      const message = randomBytes(100);
      writeFileSync(path('msg'), message);
      const ours = encodeSignature(signDigest(SM2, d, messageDigest(SM2, publicKey, message, text(id))));
      writeFileSync(path('ours.sig'), ours);
      const verified = openssl('pkeyutl', '-verify', '-pubin', '-inkey', path('pub.pem'), '-rawin', '-in', path('msg'), '-sigfile', path('ours.sig'), '-digest', 'sm3', '-pkeyopt', `distid:${id}`);
      assert.match(verified.toString(), /Signature Verified Successfully/);
      openssl('pkeyutl', '-sign', '-inkey', path('key.pem'), '-rawin', '-in', path('msg'), '-digest', 'sm3', '-pkeyopt', `distid:${id}`, '-out', path('theirs.sig'));
      const theirs = decodeSignature(readFileSync(path('theirs.sig')))!;
      assert.ok(verifyDigest(SM2, publicKey, messageDigest(SM2, publicKey, message, text(id)), theirs));
      assert.ok(!verifyDigest(SM2, publicKey, messageDigest(SM2, publicKey, message, text(id + 'x')), theirs));
    });
  }

  it('SM2 encryption decrypts both ways', () => {
    for (const length of [1, 31, 32, 33, 1024]) {
      const message = randomBytes(length);
      writeFileSync(path('ours.ct'), sm2Encrypt(publicKey, message));
      assert.deepEqual(openssl('pkeyutl', '-decrypt', '-inkey', path('key.pem'), '-in', path('ours.ct')), message);
      writeFileSync(path('plain'), message);
      openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', path('pub.pem'), '-in', path('plain'), '-out', path('theirs.ct'));
      assert.deepEqual(Buffer.from(sm2Decrypt(d, readFileSync(path('theirs.ct')))), message);
    }
  });

  it('SM4-CTR + HMAC-SM3: openssl decrypts and recomputes the tag', () => {
    const material = randomBytes(48);
    const header = Uint8Array.of(2, 3, 0x61, 0x62, 0x63, 0, 0, 0, 1);
    const context = text('{"a":"b"}');
    const plaintext = randomBytes(777);
    const out = sm4Seal(material, header, context, plaintext);
    const iv = out.subarray(0, 16);
    const tag = out.subarray(16, 48);
    const ciphertext = out.subarray(48);
    writeFileSync(path('sm4.ct'), ciphertext);
    const decrypted = openssl('enc', '-d', '-sm4-ctr', '-K', material.subarray(0, 16).toString('hex'), '-iv', Buffer.from(iv).toString('hex'), '-in', path('sm4.ct'));
    assert.deepEqual(decrypted, plaintext);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(context.length);
    writeFileSync(path('mac.in'), Buffer.concat([header, iv, length, context, ciphertext]));
    const mac = openssl('mac', '-digest', 'SM3', '-macopt', `hexkey:${material.subarray(16).toString('hex')}`, '-in', path('mac.in'), 'HMAC').toString().trim();
    assert.equal(mac.toLowerCase(), Buffer.from(tag).toString('hex'));
    assert.deepEqual(Buffer.from(sm4Open(material, header, context, iv, tag, ciphertext)), plaintext);
  });
});

describe('SM parsers and failures (property-based)', () => {
  const d = 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n;
  const publicKey = SM2.Point.BASE.multiply(d);

  it('random bytes are never a signature that verifies, and never crash', () => {
    const e = messageDigest(SM2, publicKey, text('m'));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const signature = decodeSignature(bytes);
      assert.ok(signature === undefined || !verifyDigest(SM2, publicKey, e, signature));
    }), { numRuns: 500 });
  });

  it('random bytes and altered ciphertexts fail with Sm2DecryptionError only', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.throws(() => sm2Decrypt(d, bytes), Sm2DecryptionError);
    }), { numRuns: 300 });
    const ciphertext = sm2Encrypt(publicKey, text('secret'));
    fc.assert(fc.property(fc.nat(ciphertext.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const altered = Uint8Array.from(ciphertext);
      altered[at] ^= flip;
      assert.throws(() => sm2Decrypt(d, altered), Sm2DecryptionError);
    }), { numRuns: 300 });
  });

  it('SM4: any change to header, context, iv, tag or ciphertext is refused', () => {
    const material = randomBytes(48);
    const header = Uint8Array.of(2, 1, 0x6b, 0, 0, 0, 1);
    const context = text('ctx');
    const out = sm4Seal(material, header, context, text('plaintext bytes'));
    fc.assert(fc.property(fc.constantFrom('header', 'context', 'blob'), fc.nat(200), fc.integer({ min: 1, max: 255 }), (field, index, flip) => {
      const h = Uint8Array.from(header);
      const c = Uint8Array.from(context);
      const o = Uint8Array.from(out);
      const target = field === 'header' ? h : field === 'context' ? c : o;
      target[index % target.length] ^= flip;
      assert.throws(() => sm4Open(material, h, c, o.subarray(0, 16), o.subarray(16, 48), o.subarray(48)), Sm4AuthenticationError);
    }), { numRuns: 300 });
  });

  it('window tables for busy keys give equal points and the same verdicts, also past the table limit', () => {
    const e = messageDigest(SM2, publicKey, text('busy'));
    const signature = signDigest(SM2, d, e);
    for (let i = 0; i < 5; i++) assert.ok(verifyDigest(SM2, publicKey, e, signature));
    for (let k = 0; k < 40; k++) {
      const point = SM2.Point.BASE.multiply(BigInt(k + 2));
      for (let i = 0; i < 4; i++) assert.ok(withTables(SM2, point).equals(point));
    }
    assert.ok(verifyDigest(SM2, publicKey, e, signature));
    assert.ok(!verifyDigest(SM2, publicKey, messageDigest(SM2, publicKey, text('other')), signature));
  });

  it('Z uses the ID length in bits (ENTL), so IDs differing in length differ in Z', () => {
    assert.notDeepEqual(zValue(SM2, publicKey, text('1234567812345678')), zValue(SM2, publicKey, text('123456781234567')));
  });

  it('ciphertext blobs: both formats round-trip their header; random bytes are InvalidCiphertext or a well-formed parse', () => {
    fc.assert(fc.property(fc.constantFrom(BlobFormat.Aes256Gcm, BlobFormat.Sm4CtrHmacSm3), fc.stringMatching(/^[\x21-\x7e]{1,64}$/), fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.uint8Array({ minLength: 48, maxLength: 80 }), (format, keyId, version, rest) => {
      const parsed = parseCiphertext(Buffer.concat([encodeHeader(keyId, version, format), rest]));
      assert.deepEqual([parsed.format, parsed.keyId, parsed.version], [format, keyId, version]);
      assert.equal(parsed.iv.length, format === BlobFormat.Aes256Gcm ? 12 : 16);
      assert.equal(parsed.tag.length, format === BlobFormat.Aes256Gcm ? 16 : 32);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      try {
        const parsed = parseCiphertext(bytes);
        assert.ok(parsed.format === 1 || parsed.format === 2);
      } catch (error) {
        assert.ok(error instanceof KmsError && error.type === 'InvalidCiphertextException', String(error));
      }
    }), { numRuns: 1000 });
  });
});
