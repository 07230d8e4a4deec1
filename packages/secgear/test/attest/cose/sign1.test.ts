import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex } from '../../../src/common/bytes.js';
import { ErrorCode, isSecGearError } from '../../../src/common/errors.js';
import {
  COSE_ALGORITHMS,
  coseSign1ToBeSigned,
  parseCoseSign1,
  publicKeyFromCoseKey,
  publicKeyFromEcPoint,
  publicKeyFromText,
  signCoseSign1,
  verifyCoseSign1,
} from '../../../src/attest/cose/index.js';

// RFC 9052 Appendix C.2.1: a single ECDSA P-256 signature with key "11"
const RFC9052_C21 = fromHex(
  'd28443a10126a10442313154546869732069732074686520636f6e74656e742e5840' +
    '8eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0117e2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36',
);
const KEY_11 = publicKeyFromEcPoint(
  fromHex('04bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e'),
);

describe('COSE_Sign1', () => {
  it('verifies the RFC 9052 C.2.1 example and rejects it with any other key or payload', () => {
    const message = parseCoseSign1(RFC9052_C21);
    assert.equal(message.tagged, true);
    assert.equal(message.alg, -7);
    assert.equal(new TextDecoder().decode(message.payload!), 'This is the content.');
    assert.equal(verifyCoseSign1(message, KEY_11), null);
    assert.match(verifyCoseSign1(message, KEY_11, { allowedAlgs: [-35] }) ?? '', /ES256 is not allowed/);
    assert.match(verifyCoseSign1({ ...message, payload: new TextEncoder().encode('This is the content!') }, KEY_11) ?? '', /does not verify/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    assert.match(verifyCoseSign1(message, other) ?? '', /does not verify/);
    assert.match(verifyCoseSign1(message, KEY_11, { externalAad: new Uint8Array([1]) }) ?? '', /does not verify/);
  });

  it('builds the Sig_structure byte for byte', () => {
    // ["Signature1", h'a10126', h'', h'01']
    assert.deepEqual(coseSign1ToBeSigned(fromHex('a10126'), fromHex('01')), fromHex('846a5369676e61747572653143a101264041' + '01'));
  });

  for (const [alg, spec] of [
    [-7, { type: 'ec', namedCurve: 'P-256' }],
    [-35, { type: 'ec', namedCurve: 'P-384' }],
    [-36, { type: 'ec', namedCurve: 'P-521' }],
    [-37, { type: 'rsa', modulusLength: 2048 }],
    [-39, { type: 'rsa', modulusLength: 2048 }],
    [-257, { type: 'rsa', modulusLength: 2048 }],
    [-8, { type: 'ed25519' }],
  ] as const) {
    it(`signs and verifies ${COSE_ALGORITHMS.get(alg)!.name}, tagged and untagged`, () => {
      const { privateKey, publicKey } =
        spec.type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: spec.namedCurve })
          : spec.type === 'rsa'
            ? generateKeyPairSync('rsa', { modulusLength: spec.modulusLength })
            : generateKeyPairSync('ed25519');
      for (const tagged of [true, false]) {
        const bytes = signCoseSign1(new TextEncoder().encode('payload'), privateKey, alg, { tagged });
        const message = parseCoseSign1(bytes);
        assert.equal(message.tagged, tagged);
        assert.equal(verifyCoseSign1(message, publicKey), null);
        const flipped = Uint8Array.from(message.signature);
        flipped[0] ^= 1;
        assert.notEqual(verifyCoseSign1({ ...message, signature: flipped }, publicKey), null);
      }
    });
  }

  it('refuses a key of the wrong type or size for the algorithm', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const es384 = parseCoseSign1(signCoseSign1(new Uint8Array([1]), ec.privateKey, -35));
    assert.match(verifyCoseSign1(es384, rsa.publicKey) ?? '', /needs an EC key/);
    assert.match(verifyCoseSign1(es384, KEY_11) ?? '', /expected 64/);
    const ps256 = parseCoseSign1(signCoseSign1(new Uint8Array([1]), rsa.privateKey, -37));
    assert.match(verifyCoseSign1(ps256, ec.publicKey) ?? '', /needs an RSA key/);
  });

  it('rejects malformed structures with CC_ERROR_INVALID_EVIDENCE', () => {
    const cases: [string, RegExp][] = [
      ['83400040', /four items/],
      ['c98440a0404100', /expected tag 18/],
      ['8401a0404100', /protected header is not a byte string/],
      ['844101a0404100', /does not hold a map/],
      ['8440a0014100', /neither a byte string nor nil/],
      ['8443a10126a04001', /signature is not a byte string/],
      ['8443a10126a101264040', /appears in both buckets/],
      ['8444a1016161a0404100', /alg is not an integer/],
    ];
    for (const [hex, message] of cases) {
      assert.throws(() => parseCoseSign1(fromHex(hex)), (e: unknown) => isSecGearError(e, ErrorCode.INVALID_EVIDENCE) && message.test((e as Error).message), hex);
    }
    const detached = parseCoseSign1(fromHex('8443a10126a0f64100'));
    assert.equal(verifyCoseSign1(detached, KEY_11), 'the payload is detached and none was supplied');
    assert.equal(verifyCoseSign1(parseCoseSign1(fromHex('8440a0404100')), KEY_11), 'the protected header names no algorithm');
  });

  it('reads keys as evidence carries them', () => {
    assert.equal(publicKeyFromCoseKey(new Map<number, unknown>([[1, 2], [-1, 1], [-2, fromHex('bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff')], [-3, fromHex('20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e')]]) as never).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.throws(() => publicKeyFromEcPoint(new Uint8Array(65).fill(4)), (e: unknown) => isSecGearError(e, ErrorCode.INVALID_EVIDENCE)); // not on the curve
    assert.throws(() => publicKeyFromEcPoint(new Uint8Array(64)), /not an uncompressed/);
    assert.equal(publicKeyFromText('{"kty":"EC","crv":"P-256","x":"usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8","y":"IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4","d":"V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM"}'), null);
    assert.equal(publicKeyFromText('{"kty":"EC","crv":"P-256","x":"usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8","y":"IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4"}')?.asymmetricKeyType, 'ec');
  });

  it('property: any single-bit change of a signed message is rejected or no longer verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const bytes = signCoseSign1(new TextEncoder().encode('hello, attested world'), privateKey, -7, { tagged: true });
    fc.assert(
      fc.property(fc.nat({ max: bytes.byteLength * 8 - 1 }), (bit) => {
        const mutated = Uint8Array.from(bytes);
        mutated[bit >> 3] ^= 1 << (bit & 7);
        let message;
        try {
          message = parseCoseSign1(mutated);
        } catch (error) {
          assert.ok(isSecGearError(error, ErrorCode.INVALID_EVIDENCE));
          return;
        }
        assert.notEqual(verifyCoseSign1(message, publicKey), null);
      }),
      { seed: 4, numRuns: bytes.byteLength * 8 },
    );
  });
});
