// The recipient container (docs/formats/kms-recipient-evidence.md) and CiphertextForRecipient's
// CMS: round trips, every truncation and random bytes refused with a ValidationException (never a
// crash), and the CMS opened by our own reader for any plaintext length.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { KmsError } from '../src/common/kms-error.js';
import { boundPart, encodeRecipientContainer, parseRecipientContainer, type RecipientContainer } from '../src/common/recipient-container.js';
import { buildEnvelopedData, openEnvelopedData, parseEnvelopedData } from '../src/common/cms-enveloped.js';
import { readRecipientFacts, recipientConditions } from '../src/service/recipient-conditions.js';

const isValidation = (error: unknown) => error instanceof KmsError && error.type === 'ValidationException' && /recipient container/.test(error.message);

const containerArb: fc.Arbitrary<RecipientContainer> = fc.record({
  issuedAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  mediaType: fc.stringMatching(/^[\x20-\x7e]{0,128}$/),
  publicKey: fc.uint8Array({ minLength: 1, maxLength: 600 }),
  evidence: fc.uint8Array({ minLength: 1, maxLength: 2000 }),
  collateral: fc.array(fc.record({ role: fc.stringMatching(/^[a-zA-Z]{1,32}$/), data: fc.uint8Array({ minLength: 1, maxLength: 300 }) }), { maxLength: 8 }),
});

describe('recipient container', () => {
  it('parses what it encodes; the bound part is the prefix up to the public key', () => {
    fc.assert(
      fc.property(containerArb, (c) => {
        const bytes = encodeRecipientContainer(c);
        const { container, bound } = parseRecipientContainer(bytes);
        assert.deepEqual(
          { ...container, publicKey: [...container.publicKey], evidence: [...container.evidence], collateral: container.collateral.map((x) => ({ role: x.role, data: [...x.data] })) },
          { ...c, publicKey: [...c.publicKey], evidence: [...c.evidence], collateral: c.collateral.map((x) => ({ role: x.role, data: [...x.data] })) },
        );
        assert.deepEqual([...bound], [...boundPart(c)]);
        assert.deepEqual([...bytes.subarray(0, bound.length)], [...bound]);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every truncation and any trailing byte', () => {
    fc.assert(
      fc.property(containerArb, fc.nat(), (c, cut) => {
        const bytes = encodeRecipientContainer(c);
        const end = cut % bytes.length;
        assert.throws(() => parseRecipientContainer(bytes.subarray(0, end)), isValidation);
        assert.throws(() => parseRecipientContainer(Buffer.concat([bytes, Uint8Array.of(0)])), isValidation);
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes and mutated containers give a ValidationException or a container, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const withMagic = Buffer.concat([Buffer.from('SGKR\x01'), bytes]);
        for (const input of [bytes, withMagic]) {
          try {
            parseRecipientContainer(input);
          } catch (error) {
            assert.ok(isValidation(error), String(error));
          }
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(containerArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, at, xor) => {
        const bytes = new Uint8Array(encodeRecipientContainer(c));
        bytes[at % bytes.length] ^= xor;
        try {
          parseRecipientContainer(bytes);
        } catch (error) {
          assert.ok(isValidation(error), String(error));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names what is wrong', () => {
    const c: RecipientContainer = { issuedAt: 1, mediaType: 'x', publicKey: Uint8Array.of(1), evidence: Uint8Array.of(2), collateral: [] };
    const bytes = new Uint8Array(encodeRecipientContainer(c));
    assert.throws(() => parseRecipientContainer(Uint8Array.of(1, 2, 3)), /ends inside the header/);
    const v2 = new Uint8Array(bytes);
    v2[4] = 2;
    assert.throws(() => parseRecipientContainer(v2), /version 2 is not supported/);
    const notMagic = new Uint8Array(bytes);
    notMagic[0] = 0x54;
    assert.throws(() => parseRecipientContainer(notMagic), /does not start with "SGKR"/);
    assert.throws(() => encodeRecipientContainer({ ...c, evidence: new Uint8Array(0) }), RangeError);
    assert.throws(() => encodeRecipientContainer({ ...c, mediaType: 'é' }), RangeError);
    assert.throws(() => boundPart({ issuedAt: -1, publicKey: Uint8Array.of(1) }), RangeError);
  });
});

describe('CiphertextForRecipient (CMS EnvelopedData)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));

  it('opens to the plaintext for any length, with fresh keys and IVs each time', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1100 }), (plaintext) => {
        const cms = buildEnvelopedData(plaintext, spki, (n) => new Uint8Array(randomBytes(n)));
        assert.deepEqual([...openEnvelopedData(cms, privateKey)], [...plaintext]);
      }),
      { numRuns: 25 },
    );
    const a = parseEnvelopedData(buildEnvelopedData(Uint8Array.of(1), spki, (n) => new Uint8Array(randomBytes(n))));
    const b = parseEnvelopedData(buildEnvelopedData(Uint8Array.of(1), spki, (n) => new Uint8Array(randomBytes(n))));
    assert.notDeepEqual([...a.iv], [...b.iv]);
    assert.notDeepEqual([...a.recipients[0].encryptedKey], [...b.recipients[0].encryptedKey]);
  });

  it('is BER as AWS writes it: indefinite ContentInfo, [0], EnvelopedData and EncryptedContentInfo', () => {
    const cms = Buffer.from(buildEnvelopedData(Uint8Array.of(7), spki, (n) => new Uint8Array(randomBytes(n))));
    // the AWS Nitro Enclaves SDK reads these four by their headers alone (CBS_get_any_ber_asn1_element)
    assert.deepEqual([...cms.subarray(0, 2)], [0x30, 0x80]);
    const oidLength = cms[3];
    let at = 4 + oidLength;
    assert.deepEqual([...cms.subarray(at, at + 2)], [0xa0, 0x80]);
    assert.deepEqual([...cms.subarray(at + 2, at + 4)], [0x30, 0x80]);
    at += 4;
    assert.deepEqual([...cms.subarray(at, at + 3)], [0x02, 0x01, 0x02]); // version 2
    at += 3;
    assert.equal(cms[at], 0x31); // recipientInfos, definite
    const setLength = cms[at + 1] & 0x80 ? cms.readUIntBE(at + 2, cms[at + 1] & 0x7f) + 2 + (cms[at + 1] & 0x7f) : cms[at + 1] + 2;
    at += setLength;
    assert.deepEqual([...cms.subarray(at, at + 2)], [0x30, 0x80]); // EncryptedContentInfo
    assert.deepEqual([...cms.subarray(cms.length - 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...openEnvelopedData(cms, privateKey)], [7]);
  });

  it('refuses another key, a non-RSA key and malformed structures', () => {
    const cms = buildEnvelopedData(Uint8Array.of(1, 2, 3), spki, (n) => new Uint8Array(randomBytes(n)));
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.throws(() => openEnvelopedData(cms, other), /no recipient matches/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    assert.throws(() => buildEnvelopedData(Uint8Array.of(1), ec, (n) => new Uint8Array(randomBytes(n))));
    fc.assert(
      fc.property(fc.nat(), (cut) => {
        assert.throws(() => parseEnvelopedData(cms.subarray(0, cut % cms.length)), RangeError);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const mutated = new Uint8Array(cms);
        mutated[at % mutated.length] ^= xor;
        try {
          parseEnvelopedData(mutated);
        } catch (error) {
          assert.ok(error instanceof RangeError, String(error));
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        try {
          parseEnvelopedData(bytes);
        } catch (error) {
          assert.ok(error instanceof RangeError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('Recipient condition keys', () => {
  const nitro = {
    digest: 'ab'.repeat(32), format: 'nitro', tee: 'nitro', appraisal: 'affirming', measurement: '01'.repeat(48),
    measurements: { PCR0: '01'.repeat(48), PCR8: '08'.repeat(48) }, debug: false,
  };

  it('AWS names for Nitro, secGear names for every TEE; absent claims stay absent', () => {
    const keys = recipientConditions(readRecipientFacts(nitro));
    assert.equal(keys.get('kms:recipientattestation:imagesha384'), '01'.repeat(48));
    assert.equal(keys.get('kms:recipientattestation:pcr8'), '08'.repeat(48));
    assert.equal(keys.get('secgear:recipientattestation:measurement:pcr8'), '08'.repeat(48));
    assert.equal(keys.get('secgear:recipientattestation:tee'), 'nitro');
    assert.equal(keys.get('secgear:recipientattestation:debug'), 'false');
    assert.equal(keys.has('secgear:recipientattestation:signer'), false);
    assert.equal(keys.has('secgear:recipientattestation:tcbstatus'), false);
    const sgx = recipientConditions(readRecipientFacts({ ...nitro, format: 'sgx-dcap', tee: 'sgx', measurements: {}, signer: 'cd'.repeat(32), tcbStatus: 'UpToDate', svn: 3 }));
    assert.equal(sgx.has('kms:recipientattestation:imagesha384'), false);
    assert.equal(sgx.get('secgear:recipientattestation:signer'), 'cd'.repeat(32));
    assert.equal(sgx.get('secgear:recipientattestation:tcbstatus'), 'UpToDate');
    assert.equal(sgx.get('secgear:recipientattestation:svn'), '3');
  });

  it('refuses malformed facts from the enclave', () => {
    const internal = { name: 'KmsError', type: 'KMSInternalException' };
    for (const bad of [null, 'x', { ...nitro, digest: 'zz' }, { ...nitro, tee: '' }, { ...nitro, measurement: 'XY' }, { ...nitro, measurements: { 'a b': '00' } }, { ...nitro, svn: -1 }, { ...nitro, debug: 'no' }, { ...nitro, measurements: null }]) {
      assert.throws(() => readRecipientFacts(bad), internal);
    }
  });
});
