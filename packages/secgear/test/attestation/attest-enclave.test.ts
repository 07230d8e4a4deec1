// Local attestation and evidence end to end: real enclaves on the sim and process backends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evidenceBinding, verifyEvidence, type EvidenceEnvelope } from '../../src/attest/index.js';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { createEnclave, ErrorCode, type Enclave } from '../../src/host/index.js';
import { buildFixture } from '../support/fixtures.js';
import { tempStateDir } from '../support/sim-platform-harness.js';

type Identity = { measurement: Uint8Array; signer: Uint8Array; prodId: number; svn: number; debug: boolean };
type Ecalls = {
  whoami(): Identity;
  targetInfo(): Uint8Array;
  report(targetInfo: Uint8Array, reportData: Uint8Array): Uint8Array;
  verifyReport(report: Uint8Array): { identity: Identity; reportData: Uint8Array };
  getEvidence(nonce?: Uint8Array): EvidenceEnvelope;
};

const state = tempStateDir();
const open: Enclave<Ecalls>[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.destroy()));
  state.cleanup();
});
const rejectsWith = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

for (const type of ['sim', 'process'] as const) {
  describe(`attestation in real enclaves (${type} backend)`, () => {
    let a: Enclave<Ecalls>;
    let b: Enclave<Ecalls>;
    let c: Enclave<Ecalls>;
    before(async () => {
      const start = async (version: string) => {
        const e = await createEnclave<Ecalls>(await buildFixture('seal-attest', { version }), { type, platform: { stateDir: state.dir } });
        open.push(e);
        return e;
      };
      [a, b, c] = [await start('1.0.0'), await start('2.0.0'), await start('3.0.0')];
    });

    it('B verifies A\'s report for B: A\'s identity as the host verified it, and A\'s report data', async () => {
      const data = new Uint8Array(64).fill(7);
      const report = await a.ecall.report(await b.ecall.targetInfo(), data);
      const verified = await b.ecall.verifyReport(report);
      assert.deepEqual(verified.identity.measurement, a.info.measurement);
      assert.deepEqual(verified.identity.signer, a.info.signer);
      assert.equal(verified.identity.svn, a.info.svn);
      assert.equal(verified.identity.prodId, a.info.prodId);
      assert.deepEqual(verified.reportData, data);
      // and the other way round
      const back = await b.ecall.report(await a.ecall.targetInfo(), new Uint8Array(64));
      assert.deepEqual((await a.ecall.verifyReport(back)).identity.measurement, b.info.measurement);
    });

    it('the wrong target cannot verify, and tampering is caught', async () => {
      const report = await a.ecall.report(await b.ecall.targetInfo(), new Uint8Array(64));
      await assert.rejects(c.ecall.verifyReport(report), rejectsWith(ErrorCode.INVALID_REPORT));
      const tampered = report.slice();
      tampered[120] ^= 1; // report data
      await assert.rejects(b.ecall.verifyReport(tampered), rejectsWith(ErrorCode.MAC_INVALID));
    });

    it('evidence from inside the enclave verifies with allowSimulation and the nonce', async () => {
      const nonce = new Uint8Array(16).fill(0x42);
      const env = await a.ecall.getEvidence(nonce);
      loadSimPlatformState(state.dir);
      const anchors = [{ kind: 'x509' as const, der: readSimRootCertificate(state.dir) as Uint8Array }];
      const ok = await verifyEvidence(env, { nonce, allowSimulation: true, trustAnchors: anchors });
      assert.equal(ok.verified, true, JSON.stringify(ok.failure));
      assert.deepEqual(ok.claims?.measurement, a.info.measurement);
      assert.equal(ok.claims?.tee, 'sim');
      const strict = await verifyEvidence(env, { nonce, trustAnchors: anchors });
      assert.equal(strict.verified, false);
      assert.equal(strict.appraisal.status, 'contraindicated');
      const stale = await verifyEvidence(env, { nonce: new Uint8Array(16), allowSimulation: true, trustAnchors: anchors });
      assert.equal(stale.failure?.check, 'nonce');
      for (let i = 0; i < env.data.byteLength; i += 3) {
        const flipped = env.data.slice();
        flipped[i] ^= 0x10;
        const result = await verifyEvidence({ ...env, data: flipped }, { nonce, allowSimulation: true, trustAnchors: anchors });
        assert.equal(result.verified, false, `byte ${i}`);
      }
    });

    it('every enclave answers enclave.getEvidence({ nonce }) binding no data, the host cannot choose it', async () => {
      const nonce = new Uint8Array(32).fill(7);
      const env = await a.getEvidence({ nonce });
      const anchors = [{ kind: 'x509' as const, der: readSimRootCertificate(state.dir) as Uint8Array }];
      const result = await verifyEvidence(env, { nonce, allowSimulation: true, trustAnchors: anchors });
      assert.equal(result.verified, true, JSON.stringify(result.failure));
      assert.deepEqual(result.claims?.measurement, a.info.measurement);
      // the binding of the nonce with no data: the host chose none
      assert.deepEqual(result.claims?.reportData, evidenceBinding({ nonce }));
      assert.equal((await verifyEvidence(env, { nonce, reportData: new Uint8Array(0), allowSimulation: true, trustAnchors: anchors })).verified, true);
      await assert.rejects(a.getEvidence({ nonce: new Uint8Array(65) }), rejectsWith(ErrorCode.BAD_PARAMETERS));
      await assert.rejects(a.call('__secgear_evidence', [nonce]), rejectsWith(ErrorCode.ECALL_NOT_FOUND));
    });
  });
}
