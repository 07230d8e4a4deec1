// The /dev/attestation client against a fixture with Gramine's rules; synthetic quotes under a
// test PKI verify only when that PKI's root is passed explicitly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gramineAttestation } from '../../../src/backends/tee-files/gramine-attestation.js';
import { readDeviceFile, writeDeviceFile } from '../../../src/backends/tee-files/file-port.js';
import { verifyEvidence } from '../../../src/attest/index.js';
import { ErrorCode } from '../../../src/common/errors.js';
import { makeIntelFixture } from '../../support/intel-fixture.js';
import { gramineFixture } from '../../support/tee-fixtures/gramine-fixture.js';
import { rejectsWith } from '../../support/assertions.js';

const intel = makeIntelFixture({ tee: 'sgx' });
const mrEnclave = new Uint8Array(32).fill(0x42);
const setup = () => gramineFixture({ mrEnclave, quoteFor: (reportData) => intel.quoteWith({ mrEnclave, reportData }) });

describe('gramine /dev/attestation client', () => {
  test('a quote carries exactly the report data written before it was opened, and verifies with the test root only', async () => {
    const { port } = setup();
    const device = gramineAttestation(port);
    const reportData = new Uint8Array(64).map((_, i) => i);
    const quote = await device.quote(reportData);
    assert.deepEqual(quote.subarray(48 + 320, 48 + 384), reportData);
    assert.deepEqual(port.trace.filter((t) => !t.startsWith('read')), ['open /dev/attestation/user_report_data', 'write /dev/attestation/user_report_data', 'close /dev/attestation/user_report_data', 'open /dev/attestation/quote', 'close /dev/attestation/quote']);
    const ok = await verifyEvidence({ mediaType: 'application/vnd.intel.sgx.quote', data: quote }, { collateral: intel.collateral, trustAnchors: [intel.anchor], replaceBuiltInAnchors: true, now: intel.now });
    assert.equal(ok.verified, true, ok.failure?.message);
    assert.deepEqual(ok.claims?.measurement, mrEnclave);
    const untrusted = await verifyEvidence({ mediaType: 'application/vnd.intel.sgx.quote', data: quote }, { collateral: intel.collateral, now: intel.now });
    assert.equal(untrusted.verified, false, 'the test root is not trusted unless passed');
  });

  test('Gramine rules: short report data is zero-padded at close; a quote is computed at open', async () => {
    const fixture = setup();
    await writeDeviceFile(fixture.port, '/dev/attestation/user_report_data', new Uint8Array([7, 7, 7]));
    assert.deepEqual(fixture.savedReportData(), Uint8Array.from([7, 7, 7, ...new Array(61).fill(0)]));
    // open the quote, then change the report data: the open quote keeps the old one
    const open = await fixture.port.open('/dev/attestation/quote', 'r');
    await writeDeviceFile(fixture.port, '/dev/attestation/user_report_data', new Uint8Array(64).fill(9));
    const chunks: number[] = [];
    for (let c = await open.read(65536); c.byteLength; c = await open.read(65536)) chunks.push(...c);
    await open.close();
    assert.equal(chunks[48 + 320], 7);
    assert.equal((await readDeviceFile(fixture.port, '/dev/attestation/quote'))[48 + 320], 9);
  });

  test('report data, target info and key sizes are checked; device errors get stable codes', async () => {
    const { port } = setup();
    const device = gramineAttestation(port);
    await assert.rejects(device.quote(new Uint8Array(10)), rejectsWith(ErrorCode.BAD_PARAMETERS, /exactly 64/));
    await assert.rejects(device.report(new Uint8Array(10), new Uint8Array(64)), rejectsWith(ErrorCode.BAD_PARAMETERS));
    assert.equal((await device.sealKey('_sgx_mrenclave')).byteLength, 16);
    assert.notDeepEqual(await device.sealKey('_sgx_mrenclave'), await device.sealKey('_sgx_mrsigner'));
    assert.equal((await device.myTargetInfo()).byteLength, 512);
    const report = await device.report(await device.myTargetInfo(), new Uint8Array(64).fill(3));
    assert.equal(report.byteLength, 432);
    assert.deepEqual(report.subarray(320, 384), new Uint8Array(64).fill(3));
    assert.equal(await device.attestationType(), 'dcap');
    port.inject(/quote$/, 'open', 'EACCES');
    await assert.rejects(device.quote(new Uint8Array(64)), rejectsWith(ErrorCode.ACCESS_DENIED));
    port.inject(/quote$/, 'read', 'EIO');
    await assert.rejects(device.quote(new Uint8Array(64)), rejectsWith(ErrorCode.TEE_DEVICE, /EIO/));
    port.inject(/user_report_data$/, 'close', 'ETIMEDOUT');
    await assert.rejects(device.quote(new Uint8Array(64)), rejectsWith(ErrorCode.TIMEOUT));
    assert.ok((await device.quote(new Uint8Array(64))).byteLength > 432, 'works again once the faults are gone');
  });

  test('a quote that does not carry the written report data is refused (a recorded quote)', async () => {
    const { port } = gramineFixture({ quoteFor: () => intel.quote });
    await assert.rejects(gramineAttestation(port).quote(new Uint8Array(64).fill(1)), rejectsWith(ErrorCode.TEE_DEVICE, /other report data/));
  });

  test('concurrent requests are serialised: each quote carries its own report data', async () => {
    const { port } = setup();
    const device = gramineAttestation(port);
    const datas = Array.from({ length: 8 }, (_, i) => new Uint8Array(64).fill(i + 1));
    const quotes = await Promise.all(datas.map((d) => device.quote(d)));
    quotes.forEach((q, i) => assert.deepEqual(q.subarray(368, 432), datas[i]));
  });

  test('outside Gramine (no /dev/attestation) the error says so', async () => {
    const { FixtureFilePort } = await import('../../support/tee-fixtures/fixture-file-port.js');
    await assert.rejects(gramineAttestation(new FixtureFilePort()).quote(new Uint8Array(64)), rejectsWith(ErrorCode.NOT_SUPPORTED, /does not offer/));
  });
});
