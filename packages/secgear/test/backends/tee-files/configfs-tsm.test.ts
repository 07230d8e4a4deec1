// The configfs-tsm client against a fixture with the kernel's rules: synthetic TDX, SEV-SNP and
// CCA evidence for fresh inblobs, recorded real quotes for verification, injected errno values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requestTsmReport, TSM_REPORT_DIR } from '../../../src/backends/tee-files/configfs-tsm.js';
import { encodeSnpCertTable, parseSnpCertTable } from '../../../src/backends/tee-files/snp-cert-table.js';
import { verifyEvidence } from '../../../src/attest/index.js';
import { ErrorCode, isSecGearError } from '../../../src/common/errors.js';
import { makeIntelFixture } from '../../support/intel-fixture.js';
import { configfsTsmFixture } from '../../support/tee-fixtures/configfs-tsm-fixture.js';
import { rejectsWith } from '../../support/assertions.js';
import { readVector } from '../../support/paths.js';
import { collateralFor, manifestEntries, optionsFor } from '../../attest/verifiers/manifest.js';
import { snpFixture } from '../../attest/verifiers/sev-snp/snp-fixture.js';
import { buildToken, tokenKeys } from '../../attest/verifiers/cca/cca-fixture.js';

const tdx = makeIntelFixture({ tee: 'tdx', version: 4 });
const tdxSetup = () => configfsTsmFixture({ provider: 'tdx_guest', outblobFor: (inblob) => tdx.quoteWith({ reportData: inblob }) });
const fresh = (seed: number) => new Uint8Array(64).map((_, i) => (i * 31 + seed) & 0xff);

describe('configfs-tsm client', () => {
  test('TDX: one fresh entry, inblob applied at close, generation +1, report built once, entry removed; verifies with the test root only', async () => {
    const fixture = tdxSetup();
    const inblob = fresh(1);
    const report = await requestTsmReport(fixture.port, inblob);
    assert.equal(report.provider, 'tdx_guest');
    assert.equal(report.format, 'tdx');
    assert.equal(report.generation, 1);
    assert.equal(report.auxblob.byteLength, 0);
    assert.equal(fixture.reportsBuilt(), 1);
    assert.deepEqual(fixture.port.entries(TSM_REPORT_DIR), [], 'the entry was removed');
    const ops = fixture.port.trace.filter((t) => !t.startsWith('read')).map((t) => t.replace(/secgear-[^/]+/, 'E'));
    assert.deepEqual(ops, [
      `mkdir ${TSM_REPORT_DIR}/E`,
      `open ${TSM_REPORT_DIR}/E/generation`, `close ${TSM_REPORT_DIR}/E/generation`,
      `open ${TSM_REPORT_DIR}/E/inblob`, `write ${TSM_REPORT_DIR}/E/inblob`, `close ${TSM_REPORT_DIR}/E/inblob`,
      `open ${TSM_REPORT_DIR}/E/generation`, `close ${TSM_REPORT_DIR}/E/generation`,
      `open ${TSM_REPORT_DIR}/E/outblob`, `close ${TSM_REPORT_DIR}/E/outblob`,
      `open ${TSM_REPORT_DIR}/E/provider`, `close ${TSM_REPORT_DIR}/E/provider`,
      `open ${TSM_REPORT_DIR}/E/generation`, `close ${TSM_REPORT_DIR}/E/generation`,
      `rmdir ${TSM_REPORT_DIR}/E`,
    ]);
    const good = await verifyEvidence({ mediaType: 'application/vnd.intel.tdx.quote', data: report.outblob }, { collateral: tdx.collateral, trustAnchors: [tdx.anchor], replaceBuiltInAnchors: true, now: tdx.now });
    assert.equal(good.verified, true, good.failure?.message);
    assert.deepEqual(good.claims?.reportData, inblob);
    const untrusted = await verifyEvidence({ mediaType: 'application/vnd.intel.tdx.quote', data: report.outblob }, { collateral: tdx.collateral, now: tdx.now });
    assert.equal(untrusted.verified, false);
  });

  test('a recorded real TDX quote served through the interface parses and verifies at its pinned time', async () => {
    const entry = manifestEntries('tdx').find((e) => e.id === 'tdx-dcapqvl-v4')!;
    const recorded = readVector(entry.evidence);
    const recordedReportData = recorded.slice(48 + 520, 48 + 584);
    const fixture = configfsTsmFixture({ provider: 'tdx_guest', outblobFor: () => recorded });
    const report = await requestTsmReport(fixture.port, recordedReportData);
    const result = await verifyEvidence({ mediaType: 'application/vnd.intel.tdx.quote', data: report.outblob }, optionsFor(entry, entry.at));
    assert.equal(result.verified, true, result.failure?.message);
    // the same recorded quote for another inblob is not ours
    await assert.rejects(requestTsmReport(fixture.port, fresh(2)), rejectsWith(ErrorCode.TEE_DEVICE, /not ours/));
  });

  test('a recorded real SEV-SNP report with its real VCEK in the auxblob certificate table verifies against the AMD root', async () => {
    const entry = manifestEntries('sev-snp').find((e) => e.id === 'snp-virtee-milan')!;
    const recorded = readVector(entry.evidence);
    const vcek = readVector(entry.collateral.vcek);
    const fixture = configfsTsmFixture({ provider: 'sev_guest', auxblob: encodeSnpCertTable([{ role: 'vcek', der: vcek }]), outblobFor: () => recorded });
    const report = await requestTsmReport(fixture.port, recorded.slice(0x50, 0x90));
    const certs = parseSnpCertTable(report.auxblob);
    const options = optionsFor(entry, entry.at);
    const askArk = collateralFor(entry).filter((c) => c.role !== 'vcek');
    const result = await verifyEvidence({ mediaType: 'application/vnd.amd.sev-snp.report', data: report.outblob }, { ...options, collateral: [...certs.map((c) => ({ role: c.role, data: c.der })), ...askArk] });
    assert.equal(result.verified, true, result.failure?.message);
  });

  test('a recorded real Arm CCA token served through the interface carries the inblob as its challenge and verifies with its CPAK', async () => {
    const entry = manifestEntries('cca').find((e) => e.id === 'cca-veraison-tfrmm')!;
    const recorded = readVector(entry.evidence);
    const first = await verifyEvidence({ mediaType: 'application/eat-collection; profile="http://arm.com/CCA-SSD/1.0.0"', data: recorded }, optionsFor(entry, entry.at));
    assert.equal(first.verified, true, first.failure?.message);
    const challenge = first.claims!.reportData!;
    assert.equal(challenge.byteLength, 64);
    const fixture = configfsTsmFixture({ provider: 'arm_cca_guest', outblobFor: () => recorded });
    const report = await requestTsmReport(fixture.port, challenge);
    assert.deepEqual(report.outblob, recorded);
    await assert.rejects(requestTsmReport(fixture.port, fresh(9)), rejectsWith(ErrorCode.TEE_DEVICE, /challenge/));
  });

  test('SEV-SNP: privlevel is written first, the auxblob certificate table gives the VCEK, the report verifies with the test ARK', async () => {
    const snp = await snpFixture();
    let asked = -1;
    const fixture = configfsTsmFixture({
      provider: 'sev_guest',
      auxblob: encodeSnpCertTable([{ role: 'vcek', der: snp.vcek.der }]),
      outblobFor: (inblob, privlevel) => {
        asked = privlevel;
        const report = snp.report.slice();
        report.set(inblob, 0x50);
        return report;
      },
    });
    const inblob = fresh(3);
    const report = await requestTsmReport(fixture.port, inblob, { privlevel: 2 });
    assert.equal(asked, 2);
    assert.equal(report.generation, 2, 'privlevel and inblob each advanced the generation');
    const certs = parseSnpCertTable(report.auxblob);
    assert.deepEqual(certs.map((c) => c.role), ['vcek']);
    assert.deepEqual(certs[0].der, snp.vcek.der);
    assert.deepEqual(report.outblob.subarray(0x50, 0x90), inblob);
  });

  test('CCA: the token must carry the inblob as its challenge', async () => {
    const keys = tokenKeys();
    const fixture = configfsTsmFixture({ provider: 'arm_cca_guest', outblobFor: (inblob) => buildToken(keys, { realm: { 10: inblob } }) });
    const report = await requestTsmReport(fixture.port, fresh(4));
    assert.equal(report.format, 'cca');
    const wrong = configfsTsmFixture({ provider: 'arm_cca_guest', outblobFor: () => buildToken(keys, { realm: { 10: fresh(5) } }) });
    await assert.rejects(requestTsmReport(wrong.port, fresh(4)), rejectsWith(ErrorCode.TEE_DEVICE, /challenge/));
  });

  test('another writer on the entry (generation +2) is detected and the request retried on a fresh entry', async () => {
    const fixture = tdxSetup();
    fixture.concurrentWriteOnNextEntry();
    const report = await requestTsmReport(fixture.port, fresh(6));
    assert.equal(report.generation, 1);
    assert.equal(fixture.port.trace.filter((t) => t.startsWith('mkdir')).length, 2);
    fixture.concurrentWriteOnNextEntry();
    await assert.rejects(requestTsmReport(fixture.port, fresh(6), { busyRetries: 0 }), rejectsWith(ErrorCode.TEE_DEVICE_BUSY, /generation/));
    assert.deepEqual(fixture.port.entries(TSM_REPORT_DIR), []);
  });

  test('EBUSY is retried; ETIMEDOUT and EIO fail with stable codes; entries are always removed', async () => {
    const fixture = tdxSetup();
    fixture.port.inject(/outblob$/, 'open', 'EBUSY', 2);
    assert.equal((await requestTsmReport(fixture.port, fresh(7), { busyPauseMs: 1 })).format, 'tdx');
    fixture.port.inject(/outblob$/, 'read', 'ETIMEDOUT');
    await assert.rejects(requestTsmReport(fixture.port, fresh(7)), rejectsWith(ErrorCode.TIMEOUT));
    fixture.port.inject(/inblob$/, 'close', 'EIO');
    await assert.rejects(requestTsmReport(fixture.port, fresh(7)), rejectsWith(ErrorCode.TEE_DEVICE, /EIO/));
    fixture.port.inject(/outblob$/, 'open', 'EBUSY', 10);
    await assert.rejects(requestTsmReport(fixture.port, fresh(7), { busyRetries: 2, busyPauseMs: 1 }), rejectsWith(ErrorCode.TEE_DEVICE_BUSY));
    assert.deepEqual(fixture.port.entries(TSM_REPORT_DIR), []);
    await assert.rejects(requestTsmReport(fixture.port, new Uint8Array(32)), rejectsWith(ErrorCode.BAD_PARAMETERS, /exactly 64/));
    await assert.rejects(requestTsmReport(fixture.port, fresh(7), { privlevel: 4 }), rejectsWith(ErrorCode.BAD_PARAMETERS));
  });

  test('property: under any injected faults a request returns our report or a SecGearError, and never leaves an entry', async () => {
    const ops = ['open', 'read', 'write', 'close', 'mkdir'] as const;
    const files = ['inblob', 'outblob', 'generation', 'provider', 'secgear-[^/]+'];
    const errnos = ['EBUSY', 'ETIMEDOUT', 'EIO', 'EACCES', 'EINVAL'] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...files), fc.constantFrom(...ops), fc.constantFrom(...errnos), fc.integer({ min: 1, max: 3 })), { maxLength: 4 }), fc.integer({ min: 0, max: 255 }), async (faults, seed) => {
        const fixture = tdxSetup();
        for (const [file, op, errno, times] of faults) fixture.port.inject(new RegExp(`${file}$`), op, errno, times);
        const inblob = fresh(seed);
        try {
          const report = await requestTsmReport(fixture.port, inblob, { busyPauseMs: 0 });
          assert.deepEqual(report.outblob.subarray(48 + 520, 48 + 584), inblob);
        } catch (error) {
          assert.ok(isSecGearError(error), String(error));
        }
        assert.deepEqual(fixture.port.entries(TSM_REPORT_DIR), []);
      }),
      { numRuns: 60 },
    );
  });

  test('SEV-SNP certificate table: malformed tables are refused; property: encode/parse round trip', () => {
    assert.deepEqual(parseSnpCertTable(new Uint8Array(0)), []);
    assert.throws(() => parseSnpCertTable(new Uint8Array(24).fill(1)), rejectsWith(ErrorCode.INVALID_EVIDENCE));
    assert.throws(() => parseSnpCertTable(new Uint8Array(10)), rejectsWith(ErrorCode.INVALID_EVIDENCE, /all-zero/));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('vcek' as const, 'vlek' as const, 'ask' as const, 'ark' as const), fc.uint8Array({ minLength: 1, maxLength: 64 })), { maxLength: 4 }), (certs) => {
        const table = encodeSnpCertTable(certs.map(([role, der]) => ({ role, der })));
        assert.deepEqual(parseSnpCertTable(table).map((c) => [c.role, c.der]), certs);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseSnpCertTable(bytes);
        } catch (error) {
          assert.ok(isSecGearError(error, ErrorCode.INVALID_EVIDENCE));
        }
      }),
    );
  });
});
