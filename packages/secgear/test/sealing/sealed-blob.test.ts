// The sealed blob codec: layout, negative cases, and properties over random and mutated input.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, isSecGearError } from '../../src/common/errors.js';
import { seal, unseal } from '../../src/enclave/seal.js';
import { SEALED_OVERHEAD, parseSealedBlob, sealedSize, writeSealedHeader } from '../../src/enclave/sealed-blob.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';

const FC = { seed: 0x5ea1, numRuns: 300 };
const state = tempStateDir();
after(() => state.cleanup());

function blob(aad: Uint8Array, text: Uint8Array, policy: 'enclave' | 'signer' = 'enclave', svn = 1): Uint8Array {
  const out = new Uint8Array(sealedSize(text.byteLength, aad.byteLength));
  writeSealedHeader(out, policy, svn, new Uint8Array(44).fill(9), aad.byteLength, text.byteLength);
  out.set(aad, 64);
  out.set(text, 64 + aad.byteLength);
  return out;
}

describe('sealed blob layout', () => {
  it('puts every field where docs/formats/sealed-blob.md says', () => {
    const b = blob(Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5), 'signer', 0x01020304);
    assert.deepEqual([...b.subarray(0, 12)], [0x53, 0x47, 0x53, 0x44, 1, 2, 0, 0, 1, 2, 3, 4]);
    assert.deepEqual([...b.subarray(56, 64)], [0, 0, 0, 3, 0, 0, 0, 2]);
    const p = parseSealedBlob(b);
    assert.equal(p.policy, 'signer');
    assert.equal(p.svn, 0x01020304);
    assert.deepEqual([...p.aad], [1, 2, 3]);
    assert.deepEqual([...p.ciphertext], [4, 5]);
    assert.equal(p.tag.byteLength, 16);
    assert.equal(p.authenticated.byteLength, 67);
    assert.equal(b.byteLength, SEALED_OVERHEAD + 5);
  });

  it('names what is wrong with malformed blobs', () => {
    const good = blob(new Uint8Array(0), Uint8Array.of(1));
    const cases: Array<[string, (b: Uint8Array) => Uint8Array, RegExp]> = [
      ['short', (b) => b.subarray(0, 79), /too short/],
      ['magic', (b) => ((b[0] = 0x54), b), /bad magic/],
      ['version', (b) => ((b[4] = 2), b), /unsupported version 2/],
      ['policy', (b) => ((b[5] = 9), b), /unknown policy code 9/],
      ['reserved', (b) => ((b[7] = 1), b), /reserved/],
      ['length', (b) => ((b[63] = 2), b), /length mismatch/],
      ['extra byte', (b) => Uint8Array.of(...b, 0), /length mismatch/],
    ];
    for (const [name, mutate, message] of cases) {
      assert.throws(() => parseSealedBlob(mutate(good.slice())), (e: unknown) => isSecGearError(e, ErrorCode.INVALID_SEALED_DATA) && message.test(e.message), name);
    }
    assert.throws(() => parseSealedBlob([1, 2, 3]), (e: unknown) => isSecGearError(e, ErrorCode.INVALID_SEALED_DATA));
  });

  it('property: random bytes never crash the parser (a SecGearError or a consistent parse)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const p = parseSealedBlob(bytes);
          assert.equal(SEALED_OVERHEAD + p.aad.byteLength + p.ciphertext.byteLength, bytes.byteLength);
        } catch (error) {
          assert.ok(isSecGearError(error, ErrorCode.INVALID_SEALED_DATA), String(error));
        }
      }),
      FC,
    );
  });

  it('property: any header with random lengths parses only when the lengths add up', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.nat(200), (header, extra) => {
        const bytes = new Uint8Array(64 + extra);
        bytes.set(header);
        bytes.set([0x53, 0x47, 0x53, 0x44, 1, 1, 0, 0]);
        const view = new DataView(bytes.buffer);
        const declared = 80 + view.getUint32(56) + view.getUint32(60);
        if (declared === bytes.byteLength) assert.doesNotThrow(() => parseSealedBlob(bytes));
        else assert.throws(() => parseSealedBlob(bytes), (e: unknown) => isSecGearError(e, ErrorCode.INVALID_SEALED_DATA));
      }),
      FC,
    );
  });

  it('property: seal/unseal round-trips any data and aad; any single-byte change is refused', async () => {
    enterEnclave(makeIdentity(), state.dir);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom('enclave' as const, 'signer' as const),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (data, aad, policy, where, delta) => {
          const sealed = await seal(data, { policy, aad });
          const out = await unseal(sealed, { aad });
          assert.deepEqual(out.data, data);
          assert.deepEqual(out.aad, aad);
          const bad = sealed.slice();
          bad[where % bad.byteLength] ^= delta;
          await assert.rejects(unseal(bad), (e: unknown) =>
            [ErrorCode.MAC_INVALID, ErrorCode.INVALID_SEALED_DATA, ErrorCode.SEAL_POLICY].some((c) => isSecGearError(e, c)),
          );
        },
      ),
      { ...FC, numRuns: 150 },
    );
  });
});
