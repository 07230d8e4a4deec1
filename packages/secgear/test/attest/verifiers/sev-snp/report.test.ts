import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../../../src/common/bytes.js';
import { ErrorCode, isSecGearError } from '../../../../src/common/errors.js';
import { decodeTcb, formatTcb, parseSnpReport, productFromCpuid, SNP_REPORT_SIZE } from '../../../../src/attest/verifiers/sev-snp/index.js';
import { readVector } from '../../../support/paths.js';
import { assertParsesOrRejects } from '../../parser-properties.js';

const invalid = (pattern: RegExp) => (e: unknown) => isSecGearError(e, ErrorCode.INVALID_EVIDENCE) && pattern.test((e as Error).message);

describe('SEV-SNP report parser', () => {
  it('reads the go-sev-guest Milan report as SOURCES.md describes it', () => {
    const r = parseSnpReport(readVector('sev-snp/go-sev-guest/attestation.bin'));
    assert.equal(r.version, 2);
    assert.equal(r.vmpl, 0);
    assert.equal(r.policy.raw, 0xb0000n);
    assert.equal(r.policy.debug, true);
    assert.equal(r.policy.smt, true);
    assert.equal(r.policy.migrateMa, false);
    assert.equal(formatTcb(decodeTcb(r.reportedTcbBytes, 'Milan')), 'bl=2 tee=0 snp=5 ucode=68');
    assert.ok(toHex(r.reportData).startsWith('0102030405'));
    assert.ok(toHex(r.chipId).startsWith('3ac3fe21'));
    assert.equal(r.cpuid, null);
    assert.equal(r.signingKey, 'vcek');
    assert.equal(r.signedBytes.byteLength, 0x2a0);
    assert.equal(r.signature.byteLength, 96);
  });

  it('reads the virtee and trustee Milan reports', () => {
    const v = parseSnpReport(readVector('sev-snp/virtee-sev/report_milan.bin'));
    assert.equal(v.policy.raw, 0x30000n);
    assert.equal(formatTcb(decodeTcb(v.reportedTcbBytes, 'Milan')), 'bl=3 tee=0 snp=8 ucode=115');
    const t = parseSnpReport(readVector('sev-snp/trustee/snp/test-report.bin'));
    assert.equal(t.policy.raw, 0x3001fn);
    assert.equal(t.policy.abiMinor, 0x1f);
    assert.equal(formatTcb(decodeTcb(t.reportedTcbBytes, 'Milan')), 'bl=3 tee=0 snp=8 ucode=115');
    assert.equal(formatTcb(decodeTcb(t.currentTcbBytes, 'Milan')), 'bl=3 tee=0 snp=8 ucode=206');
  });

  it('reads the version 3 VLEK report: signing key, VMPL, CPUID, zero chip id', () => {
    const r = parseSnpReport(readVector('sev-snp/trustee/snp/test-vlek-report.bin'));
    assert.equal(r.version, 3);
    assert.equal(r.signingKey, 'vlek');
    assert.equal(r.vmpl, 1);
    assert.deepEqual(r.cpuid, { family: 0x19, model: 0x01, stepping: 0x01 });
    assert.equal(productFromCpuid(0x19, 0x01), 'Milan');
    assert.ok(r.chipId.every((b) => b === 0));
    assert.equal(r.launchMitVector, null);
  });

  it('reads the version 3 Genoa report from the Azure HCL report', () => {
    const r = parseSnpReport(readVector('sev-snp/trustee/az-snp-vtpm/evidence-genoa.snp-report.bin'));
    assert.equal(r.version, 3);
    assert.deepEqual(r.cpuid, { family: 0x19, model: 0x11, stepping: 0x01 });
    assert.equal(productFromCpuid(0x19, 0x11), 'Genoa');
    assert.equal(formatTcb(decodeTcb(r.reportedTcbBytes, 'Genoa')), 'bl=10 tee=0 snp=23 ucode=84');
  });

  it('decodes TCB_VERSION for each product layout and maps CPUID to products', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 0, 0, 5, 6]);
    assert.deepEqual(decodeTcb(bytes, 'Milan'), { fmc: null, bootloader: 1, tee: 2, snp: 5, microcode: 6, raw: 0x0605000004030201n });
    assert.deepEqual(decodeTcb(bytes, 'Turin'), { fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 6, raw: 0x0605000004030201n });
    assert.equal(productFromCpuid(0x19, 0xa0), 'Genoa'); // Siena uses the Genoa keys
    assert.equal(productFromCpuid(0x1a, 0x02), 'Turin');
    assert.equal(productFromCpuid(0x17, 0x31), null);
  });

  it('rejects wrong sizes, versions, algorithms and malformed signatures with the reason', () => {
    const good = readVector('sev-snp/trustee/snp/test-report.bin');
    const edit = (f: (b: Uint8Array) => void) => {
      const b = Uint8Array.from(good);
      f(b);
      return b;
    };
    assert.throws(() => parseSnpReport(good.subarray(0, 1183)), invalid(/expected 1184 bytes, got 1183/));
    assert.throws(() => parseSnpReport(new Uint8Array([...good, 0])), invalid(/got 1185/));
    assert.throws(() => parseSnpReport(edit((b) => (b[0] = 1))), invalid(/version 1 is not supported/));
    assert.throws(() => parseSnpReport(edit((b) => (b[0] = 6))), invalid(/version 6 is not supported/));
    assert.throws(() => parseSnpReport(edit((b) => (b[0x34] = 2))), invalid(/signature algorithm 2/));
    assert.throws(() => parseSnpReport(edit((b) => (b[0x48] = 2 << 2))), invalid(/SIGNING_KEY value 2 is reserved/));
    assert.throws(() => parseSnpReport(edit((b) => (b[0x2a0 + 50] = 1))), invalid(/signature R does not fit P-384/));
    assert.throws(() => parseSnpReport(edit((b) => (b[0x2a0 + 72 + 71] = 1))), invalid(/signature S does not fit P-384/));
  });

  it('property: any bytes parse or fail with CC_ERROR_INVALID_EVIDENCE', () => {
    const good = readVector('sev-snp/trustee/snp/test-report.bin');
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 1300 }),
      fc.uint8Array({ minLength: SNP_REPORT_SIZE, maxLength: SNP_REPORT_SIZE }),
      fc.tuple(fc.nat({ max: SNP_REPORT_SIZE - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const b = Uint8Array.from(good);
        b[i] = v;
        return b;
      }),
    );
    assertParsesOrRejects(parseSnpReport, inputs, { seed: 5, numRuns: 2000, check: (r) => assert.equal(r.signedBytes.byteLength, 0x2a0) });
  });
});
