// Local attestation on the simulated platform: getTargetInfo / getReport / verifyReport.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { REPORT_SIZE, TARGET_INFO_SIZE, parseReport, parseTargetInfo } from '../../src/backends/sim-platform/local-report.js';
import { ErrorCode, isSecGearError } from '../../src/common/errors.js';
import { getReport, getTargetInfo, verifyReport } from '../../src/enclave/report.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';

const state = tempStateDir();
const other = tempStateDir();
after(() => {
  state.cleanup();
  other.cleanup();
});
const isCode = (...codes: string[]) => (e: unknown) => isSecGearError(e) && codes.includes(e.code);

describe('local attestation (simulated platform)', () => {
  const a = makeIdentity({ prodId: 11, svn: 2 });
  const b = makeIdentity();
  const c = makeIdentity();
  const data = new Uint8Array(64).map((_, i) => i);

  async function reportFromAtoB(reportData: Uint8Array = data, dir = state.dir): Promise<Uint8Array> {
    enterEnclave(b, dir);
    const ti = await getTargetInfo();
    enterEnclave(a, dir);
    return getReport(ti, reportData);
  }

  it('B verifies a report A made for it and learns A\'s identity and report data', async () => {
    const report = await reportFromAtoB();
    assert.equal(report.byteLength, REPORT_SIZE);
    enterEnclave(b, state.dir);
    const verified = await verifyReport(report);
    assert.deepEqual(verified.identity, a);
    assert.deepEqual(verified.reportData, data);
  });

  it('zero-pads short report data', async () => {
    const report = await reportFromAtoB(Uint8Array.of(1, 2, 3));
    enterEnclave(b, state.dir);
    const { reportData } = await verifyReport(report);
    assert.deepEqual(reportData, Uint8Array.from([1, 2, 3, ...new Array(61).fill(0)]));
  });

  it('another enclave (the wrong target) cannot verify it', async () => {
    const report = await reportFromAtoB();
    enterEnclave(c, state.dir);
    await assert.rejects(verifyReport(report), isCode(ErrorCode.INVALID_REPORT));
    enterEnclave(a, state.dir);
    await assert.rejects(verifyReport(report), isCode(ErrorCode.INVALID_REPORT));
  });

  it('the debug twin of the target cannot verify it', async () => {
    const report = await reportFromAtoB();
    enterEnclave({ ...b, debug: true }, state.dir);
    await assert.rejects(verifyReport(report), isCode(ErrorCode.INVALID_REPORT));
  });

  it('retargeting a report to another enclave fails the MAC', async () => {
    const report = await reportFromAtoB();
    enterEnclave(c, state.dir);
    const ti = await getTargetInfo();
    const forged = report.slice();
    forged.set(ti.subarray(8, 56), 176); // claim C as the target
    await assert.rejects(verifyReport(forged), isCode(ErrorCode.MAC_INVALID));
  });

  it('a report from another machine fails the MAC', async () => {
    const report = await reportFromAtoB(data, other.dir);
    enterEnclave(b, state.dir);
    await assert.rejects(verifyReport(report), isCode(ErrorCode.MAC_INVALID));
  });

  it('a flipped bit in any byte is refused', async () => {
    const report = await reportFromAtoB();
    enterEnclave(b, state.dir);
    for (let i = 0; i < report.byteLength; i++) {
      const bad = report.slice();
      bad[i] ^= 1 << (i % 8);
      await assert.rejects(verifyReport(bad), isCode(ErrorCode.MAC_INVALID, ErrorCode.INVALID_REPORT), `byte ${i}`);
    }
  });

  it('checks arguments in the enclave', async () => {
    enterEnclave(a, state.dir);
    await assert.rejects(getReport('ti' as never), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(getReport(await getTargetInfo(), new Uint8Array(65)), isCode(ErrorCode.BAD_PARAMETERS));
    await assert.rejects(getReport(new Uint8Array(TARGET_INFO_SIZE)), isCode(ErrorCode.INVALID_REPORT));
    await assert.rejects(verifyReport(undefined as never), isCode(ErrorCode.BAD_PARAMETERS));
  });

  it('property: the report and target-info parsers never crash on random bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ minLength: REPORT_SIZE, maxLength: REPORT_SIZE })), (bytes) => {
        for (const parse of [parseReport, parseTargetInfo]) {
          try {
            parse(bytes);
          } catch (error) {
            assert.ok(isSecGearError(error, ErrorCode.INVALID_REPORT), String(error));
          }
        }
      }),
      { seed: 0x1e7, numRuns: 300 },
    );
  });
});
