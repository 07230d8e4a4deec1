// Sealing end to end: real enclaves on the sim and process backends, through the public API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEnclave, ErrorCode, generateSigningKey, type Enclave } from '../../src/host/index.js';
import { buildFixture } from '../support/fixtures.js';
import { tempStateDir } from '../support/sim-platform-harness.js';

type Ecalls = {
  seal(data: Uint8Array, policy: 'enclave' | 'signer', aad?: Uint8Array): Uint8Array;
  unseal(blob: Uint8Array, aad?: Uint8Array): { data: Uint8Array; aad: Uint8Array };
  sizes(blob: Uint8Array): { text: number; aad: number };
};

const text = (s: string) => new TextEncoder().encode(s);
const rejectsWith = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

const state = tempStateDir();
const otherKey = generateSigningKey();
const open: Enclave<Ecalls>[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.destroy()));
  state.cleanup();
});

for (const type of ['sim', 'process'] as const) {
  describe(`sealing in real enclaves (${type} backend)`, () => {
    const start = async (overrides: Record<string, unknown> = {}, key?: string) => {
      const image = await buildFixture('seal-attest', overrides, key);
      const enclave = await createEnclave<Ecalls>(image, { type, debug: overrides.debug === true, platform: { stateDir: state.dir } });
      open.push(enclave);
      return enclave;
    };
    let a: Enclave<Ecalls>;
    before(async () => {
      a = await start();
    });

    it('round-trips with both policies and reports sizes', async () => {
      for (const policy of ['enclave', 'signer'] as const) {
        const blob = await a.ecall.seal(text(`data ${policy}`), policy, text('aad'));
        assert.deepEqual(await a.ecall.sizes(blob), { text: text(`data ${policy}`).byteLength, aad: 3 });
        const out = await a.ecall.unseal(blob, text('aad'));
        assert.deepEqual(out.data, text(`data ${policy}`));
        assert.deepEqual(out.aad, text('aad'));
      }
    });

    it('a new instance of the same image unseals; another image (other measurement) only with signer policy', async () => {
      const byEnclave = await a.ecall.seal(text('m'), 'enclave');
      const bySigner = await a.ecall.seal(text('s'), 'signer');
      const again = await start();
      assert.deepEqual((await again.ecall.unseal(byEnclave)).data, text('m'));
      const rebuilt = await start({ version: '1.0.1' });
      assert.notDeepEqual(rebuilt.info.measurement, a.info.measurement);
      await assert.rejects(rebuilt.ecall.unseal(byEnclave), rejectsWith(ErrorCode.MAC_INVALID));
      assert.deepEqual((await rebuilt.ecall.unseal(bySigner)).data, text('s'));
    });

    it('svn upgrade reads old data; downgrade cannot read new data', async () => {
      const v4 = await start({ svn: 4 });
      const v2 = await start({ svn: 2 });
      const old = await a.ecall.seal(text('from svn 3'), 'signer');
      assert.deepEqual((await v4.ecall.unseal(old)).data, text('from svn 3'));
      await assert.rejects(v2.ecall.unseal(old), rejectsWith(ErrorCode.SEAL_POLICY));
      const newer = await v4.ecall.seal(text('from svn 4'), 'signer');
      await assert.rejects(a.ecall.unseal(newer), rejectsWith(ErrorCode.SEAL_POLICY));
    });

    it('another signer or prodId cannot unseal signer-sealed data', async () => {
      const blob = await a.ecall.seal(text('x'), 'signer');
      const foreign = await start({}, otherKey);
      assert.notDeepEqual(foreign.info.signer, a.info.signer);
      await assert.rejects(foreign.ecall.unseal(blob), rejectsWith(ErrorCode.MAC_INVALID));
      const otherProduct = await start({ prodId: 8 });
      await assert.rejects(otherProduct.ecall.unseal(blob), rejectsWith(ErrorCode.MAC_INVALID));
    });

    it('debug and production enclaves do not share keys', async () => {
      const debug = await start({ debug: true });
      const fromProd = await a.ecall.seal(text('p'), 'signer');
      await assert.rejects(debug.ecall.unseal(fromProd), rejectsWith(ErrorCode.MAC_INVALID));
      const fromDebug = await debug.ecall.seal(text('d'), 'signer');
      await assert.rejects(a.ecall.unseal(fromDebug), rejectsWith(ErrorCode.MAC_INVALID));
      assert.deepEqual((await debug.ecall.unseal(fromDebug)).data, text('d'));
    });

    it('tampering anywhere fails with a stable code and no data', async () => {
      const blob = await a.ecall.seal(text('tamper me'), 'signer', text('hdr'));
      const allowed = [ErrorCode.MAC_INVALID, ErrorCode.INVALID_SEALED_DATA, ErrorCode.SEAL_POLICY] as string[];
      for (let i = 0; i < blob.byteLength; i += 3) {
        const bad = blob.slice();
        bad[i] ^= 0x40;
        await assert.rejects(a.ecall.unseal(bad), (e: unknown) => allowed.includes((e as { code: string }).code), `byte ${i}`);
      }
      await assert.rejects(a.ecall.unseal(blob, text('HDR')), rejectsWith(ErrorCode.MAC_INVALID));
      await assert.rejects(a.ecall.unseal(blob.subarray(0, 40)), rejectsWith(ErrorCode.INVALID_SEALED_DATA));
    });
  });
}

describe('sealing across backends', () => {
  it('data sealed in a sim enclave unseals in a process enclave of the same image (same machine)', async () => {
    const image = await buildFixture('seal-attest');
    const sim = await createEnclave<Ecalls>(image, { type: 'sim', platform: { stateDir: state.dir } });
    const proc = await createEnclave<Ecalls>(image, { type: 'process', platform: { stateDir: state.dir } });
    open.push(sim, proc);
    const blob = await sim.ecall.seal(text('portable'), 'enclave');
    assert.deepEqual((await proc.ecall.unseal(blob)).data, text('portable'));
  });
});
