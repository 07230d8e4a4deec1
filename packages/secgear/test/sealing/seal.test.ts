import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode, isSecGearError } from '../../src/common/errors.js';
import {
  getAddTextSize,
  getEncryptedTextSize,
  getSealedDataSize,
  seal,
  unseal,
} from '../../src/enclave/seal.js';
import { enterEnclave, makeIdentity, sha384, tempStateDir } from '../support/sim-platform-harness.js';

const state = tempStateDir();
const other = tempStateDir();
after(() => {
  state.cleanup();
  other.cleanup();
});

const text = (s: string) => new TextEncoder().encode(s);
const code = (c: string) => (e: unknown) => isSecGearError(e) && e.code === c;

describe('seal/unseal (simulated platform)', () => {
  const a = makeIdentity({ svn: 3 });

  it('round-trips data and additional data with both policies', async () => {
    enterEnclave(a, state.dir);
    for (const policy of ['enclave', 'signer'] as const) {
      const data = text(`secret for ${policy}`);
      const aad = text('label');
      const blob = await seal(data, { policy, aad });
      assert.equal(blob.byteLength, getSealedDataSize(data.byteLength, aad.byteLength));
      assert.equal(getEncryptedTextSize(blob), data.byteLength);
      assert.equal(getAddTextSize(blob), aad.byteLength);
      const out = await unseal(blob, { aad });
      assert.deepEqual(out.data, data);
      assert.deepEqual(out.aad, aad);
      assert.equal(Object.getPrototypeOf(out.data), Uint8Array.prototype);
    }
  });

  it('round-trips empty data, no aad, and 1 MiB', async () => {
    enterEnclave(a, state.dir);
    assert.deepEqual((await unseal(await seal(new Uint8Array(0)))).data, new Uint8Array(0));
    const big = new Uint8Array(1 << 20).map((_, i) => i * 31);
    const out = await unseal(await seal(big));
    assert.deepEqual(out.data, big);
    assert.equal(out.aad.byteLength, 0);
  });

  it('never produces the same blob twice, and hides the data', async () => {
    enterEnclave(a, state.dir);
    const data = text('same data, same data, same data!');
    const [b1, b2] = [await seal(data), await seal(data)];
    assert.notDeepEqual(b1, b2);
    assert.equal(Buffer.from(b1).indexOf(Buffer.from(data)), -1);
  });

  it('survives a restart of the same enclave (keys come from the platform, not from memory)', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('persisted'), { policy: 'enclave' });
    enterEnclave({ ...a }, state.dir);
    assert.deepEqual((await unseal(blob)).data, text('persisted'));
  });

  it('enclave policy: another measurement cannot unseal', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('x'), { policy: 'enclave' });
    enterEnclave(makeIdentity({ signer: a.signer, prodId: a.prodId, svn: a.svn }), state.dir);
    await assert.rejects(unseal(blob), code(ErrorCode.MAC_INVALID));
  });

  it('signer policy: same signer and prodId, other measurement, equal or higher svn can unseal', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('upgrade me'), { policy: 'signer' });
    for (const svn of [3, 4, 100]) {
      enterEnclave(makeIdentity({ signer: a.signer, prodId: a.prodId, svn }), state.dir);
      assert.deepEqual((await unseal(blob)).data, text('upgrade me'), `svn ${svn}`);
    }
  });

  it('signer policy: a lower svn cannot unseal (downgrade) and gets a policy error', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('new data'), { policy: 'signer' });
    enterEnclave(makeIdentity({ signer: a.signer, prodId: a.prodId, svn: 2 }), state.dir);
    await assert.rejects(unseal(blob), code(ErrorCode.SEAL_POLICY));
    // and the upgraded enclave's new blobs are bound to its own svn
    enterEnclave(makeIdentity({ signer: a.signer, prodId: a.prodId, svn: 4 }), state.dir);
    const newer = await seal(text('v4 data'), { policy: 'signer' });
    enterEnclave(a, state.dir);
    await assert.rejects(unseal(newer), code(ErrorCode.SEAL_POLICY));
  });

  it('signer policy: another signer or another prodId cannot unseal', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('x'), { policy: 'signer' });
    enterEnclave(makeIdentity({ signer: sha384('other signer'), prodId: a.prodId, svn: a.svn }), state.dir);
    await assert.rejects(unseal(blob), code(ErrorCode.MAC_INVALID));
    enterEnclave(makeIdentity({ signer: a.signer, prodId: a.prodId + 1, svn: a.svn }), state.dir);
    await assert.rejects(unseal(blob), code(ErrorCode.MAC_INVALID));
  });

  it('debug and production enclaves never share keys (either policy, either direction)', async () => {
    for (const policy of ['enclave', 'signer'] as const) {
      const prod = makeIdentity({ debug: false });
      const debug = { ...prod, debug: true };
      enterEnclave(prod, state.dir);
      const fromProd = await seal(text('p'), { policy });
      enterEnclave(debug, state.dir);
      await assert.rejects(unseal(fromProd), code(ErrorCode.MAC_INVALID));
      const fromDebug = await seal(text('d'), { policy });
      enterEnclave(prod, state.dir);
      await assert.rejects(unseal(fromDebug), code(ErrorCode.MAC_INVALID));
    }
  });

  it('another machine (another sim state) cannot unseal', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('x'), { policy: 'signer' });
    enterEnclave(a, other.dir);
    await assert.rejects(unseal(blob), code(ErrorCode.MAC_INVALID));
  });

  it('rejects a flipped bit in every byte of the blob, with no plaintext', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('tamper-evident data'), { policy: 'signer', aad: text('aad!') });
    for (let i = 0; i < blob.byteLength; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = blob.slice();
        bad[i] ^= bit;
        await assert.rejects(
          unseal(bad),
          (e: unknown) =>
            isSecGearError(e) && [ErrorCode.MAC_INVALID, ErrorCode.INVALID_SEALED_DATA, ErrorCode.SEAL_POLICY].includes(e.code as never),
          `byte ${i} bit ${bit}`,
        );
      }
    }
  });

  it('rejects truncation, extension, a wrong expected aad, and junk', async () => {
    enterEnclave(a, state.dir);
    const blob = await seal(text('data'), { aad: text('aad') });
    await assert.rejects(unseal(blob.subarray(0, blob.byteLength - 1)), code(ErrorCode.INVALID_SEALED_DATA));
    await assert.rejects(unseal(new Uint8Array([...blob, 0])), code(ErrorCode.INVALID_SEALED_DATA));
    await assert.rejects(unseal(blob, { aad: text('aae') }), code(ErrorCode.MAC_INVALID));
    await assert.rejects(unseal(new Uint8Array(10)), code(ErrorCode.INVALID_SEALED_DATA));
    await assert.rejects(unseal('blob' as unknown as Uint8Array), code(ErrorCode.INVALID_SEALED_DATA));
  });

  it('refuses swapping the aad of two blobs (aad is authenticated)', async () => {
    enterEnclave(a, state.dir);
    const b1 = await seal(text('one'), { aad: text('AAA') });
    const b2 = await seal(text('two'), { aad: text('BBB') });
    const swapped = b1.slice();
    swapped.set(b2.subarray(64, 67), 64);
    await assert.rejects(unseal(swapped), code(ErrorCode.MAC_INVALID));
  });

  it('validates options and sizes', async () => {
    enterEnclave(a, state.dir);
    await assert.rejects(seal('text' as unknown as Uint8Array), code(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(seal(text('x'), { policy: 'nobody' as never }), code(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(seal(text('x'), { aad: 5 as never }), code(ErrorCode.BAD_PARAMETERS));
    assert.equal(getSealedDataSize(10, 5), 95);
    assert.throws(() => getSealedDataSize(-1), code(ErrorCode.BAD_PARAMETERS));
    assert.throws(() => getSealedDataSize(2 ** 32), code(ErrorCode.BAD_PARAMETERS));
  });

  it('many concurrent seals share one key request and all unseal', async () => {
    enterEnclave(makeIdentity(), state.dir);
    const inputs = Array.from({ length: 50 }, (_, i) => text(`item ${i}`));
    const blobs = await Promise.all(inputs.map((d, i) => seal(d, { policy: i % 2 ? 'signer' : 'enclave' })));
    const outs = await Promise.all(blobs.map((b) => unseal(b)));
    assert.deepEqual(outs.map((o) => o.data), inputs);
  });
});
