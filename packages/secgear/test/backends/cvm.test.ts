// The cvm backend end to end over fixtures: configfs-tsm and the TDX measurement registers
// served by fixtures, the platform in the host process, enclaves in confined child processes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, sign } from 'node:crypto';
import { createCvmBackend, createEnclave, ErrorCode, registerBackend } from '../../src/host/index.js';
import { verifyEvidence } from '../../src/attest/index.js';
import { reportDataForRequest } from '../../src/backends/tee-files/report-data.js';
import { parseRtmrEventLog, replayRtmr } from '../../src/backends/tee-files/rtmr.js';
import { buildFixture } from '../support/fixtures.js';
import { rejectsWith } from '../support/assertions.js';
import { cvmFixtureBackend } from '../support/tee-fixtures/fixture-backends.js';
import { configfsTsmFixture } from '../support/tee-fixtures/configfs-tsm-fixture.js';
import { encodeSnpCertTable } from '../../src/backends/tee-files/snp-cert-table.js';
import { snpFixture } from '../attest/verifiers/sev-snp/snp-fixture.js';

type SealAttest = {
  seal(d: Uint8Array, p: string): Uint8Array;
  unseal(b: Uint8Array): { data: Uint8Array };
  targetInfo(): Uint8Array;
  report(t: Uint8Array, r: Uint8Array): Uint8Array;
  verifyReport(r: Uint8Array): { identity: { measurement: Uint8Array }; reportData: Uint8Array };
};

const vm = cvmFixtureBackend('cvm-test');
const sealing = cvmFixtureBackend('cvm-sealing', { sealingRoot: new Uint8Array(32).fill(7) });
// registered for this file only: tests leave nothing registered
const registrations = [registerBackend(vm.backend), registerBackend(sealing.backend)];
after(() => registrations.forEach((undo) => undo()));

describe('cvm backend over fixtures', () => {
  test('the image is extended into RTMR2 before it runs; evidence is a TDX quote with the event log beside it, verifying with the test root only', async () => {
    const image = await buildFixture('seal-attest');
    await using enclave = await createEnclave<SealAttest>(image, { type: 'cvm-test' });
    assert.equal(enclave.info.simulated, false);
    assert.notDeepEqual(vm.registers[2], new Uint8Array(48), 'RTMR2 was extended');
    const nonce = randomBytes(32);
    const evidence = await enclave.getEvidence({ nonce });
    assert.equal(evidence.mediaType, 'application/vnd.intel.tdx.quote');
    const result = await verifyEvidence(evidence, { trustAnchors: [vm.anchor], replaceBuiltInAnchors: true, collateral: vm.collateral, now: vm.now });
    assert.equal(result.verified, true, result.failure?.message);
    assert.deepEqual(result.claims?.reportData, reportDataForRequest({ nonce }));
    assert.equal((await verifyEvidence(evidence, { collateral: vm.collateral, now: vm.now })).verified, false);

    const log = evidence.aux?.find((a) => a.role === 'rtmrEventLog');
    assert.ok(log, 'the RTMR event log travels with the evidence');
    const events = parseRtmrEventLog(JSON.parse(new TextDecoder().decode(log.data)));
    assert.deepEqual(replayRtmr(events)[2], vm.registers[2], 'replaying the log gives the register');
    assert.ok(events.some((e) => e.content.measurement === Buffer.from(enclave.info.measurement).toString('hex')));
  });

  test('sealing needs a root released by EKMS; with one, seal and unseal work', async () => {
    const image = await buildFixture('seal-attest');
    await using without = await createEnclave<SealAttest>(image, { type: 'cvm-test' });
    await assert.rejects(without.ecall.seal(new Uint8Array([1]), 'enclave'), rejectsWith(ErrorCode.NOT_SUPPORTED, /EKMS/));
    await using withRoot = await createEnclave<SealAttest>(image, { type: 'cvm-sealing' });
    const blob = await withRoot.ecall.seal(new TextEncoder().encode('kept'), 'signer');
    assert.equal(new TextDecoder().decode((await withRoot.ecall.unseal(blob)).data), 'kept');
  });

  test('local attestation between two enclaves of one backend instance', async () => {
    const image = await buildFixture('seal-attest');
    await using a = await createEnclave<SealAttest>(image, { type: 'cvm-test' });
    await using b = await createEnclave<SealAttest>(image, { type: 'cvm-test' });
    const report = await a.ecall.report(await b.ecall.targetInfo(), new Uint8Array([1, 2, 3]));
    const verified = await b.ecall.verifyReport(report);
    assert.deepEqual(verified.identity.measurement, a.info.measurement);
    assert.deepEqual(verified.reportData.subarray(0, 3), new Uint8Array([1, 2, 3]));
  });

  test('a busy or failing TSM provider surfaces as stable error codes through getEvidence', async () => {
    await using enclave = await createEnclave(await buildFixture('seal-attest'), { type: 'cvm-test' });
    vm.files.inject(/outblob$/, 'read', 'EIO');
    await assert.rejects(enclave.getEvidence({ nonce: new Uint8Array(8) }), rejectsWith(ErrorCode.TEE_DEVICE, /EIO/));
    vm.files.inject(/outblob$/, 'open', 'EBUSY', 2);
    assert.equal((await enclave.getEvidence({ nonce: new Uint8Array(8) })).mediaType, 'application/vnd.intel.tdx.quote');
  });

  test('type "auto" picks cvm when configfs-tsm exists (and no stronger backend does)', async () => {
    await using enclave = await createEnclave(await buildFixture('seal-attest'), { type: 'auto' });
    assert.match(enclave.info.backend, /^cvm-/);
  });
});

describe('cvm backend over a SEV-SNP fixture', () => {
  test('evidence is an SNP report; the VCEK from auxblob travels as aux and, with the test ARK passed, the report verifies', async () => {
    const snp = await snpFixture();
    const fixture = configfsTsmFixture({
      provider: 'sev_guest',
      auxblob: encodeSnpCertTable([{ role: 'vcek', der: snp.vcek.der }]),
      outblobFor: (inblob) => {
        // the test VCEK signs each report for its report data, as the PSP would
        const report = snp.report.slice();
        report.set(inblob, 0x50);
        const signature = sign('sha384', report.subarray(0, 0x2a0), { key: snp.vcek.privateKey, dsaEncoding: 'ieee-p1363' });
        report.fill(0, 0x2a0);
        for (let i = 0; i < 48; i++) {
          report[0x2a0 + i] = signature[47 - i];
          report[0x2a0 + 72 + i] = signature[95 - i];
        }
        return report;
      },
    });
    registrations.push(registerBackend(createCvmBackend({ name: 'cvm-snp', files: fixture.port })));
    await using enclave = await createEnclave(await buildFixture('seal-attest'), { type: 'cvm-snp' });
    const nonce = randomBytes(16);
    const evidence = await enclave.getEvidence({ nonce });
    assert.equal(evidence.mediaType, 'application/vnd.amd.sev-snp.report');
    assert.deepEqual(evidence.aux?.map((a) => a.role), ['vcek']);
    assert.deepEqual(evidence.data.subarray(0x50, 0x90), reportDataForRequest({ nonce }));
    const askArk = snp.collateral.filter((c) => c.role !== 'vcek');
    const withAux = await verifyEvidence(evidence, { trustAnchors: [snp.anchor], replaceBuiltInAnchors: true, collateral: [...evidence.aux!, ...askArk] });
    assert.equal(withAux.verified, true, withAux.failure?.message);
    assert.equal((await verifyEvidence(evidence, { collateral: [...evidence.aux!, ...askArk] })).verified, false, 'not without the test ARK');
  });
});
