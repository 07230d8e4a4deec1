import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { toHex } from '../../../../src/common/bytes.js';
import { verifyEvidence } from '../../../../src/attest/index.js';
import type { VerifyOptions } from '../../../../src/attest/types.js';
import { readVector } from '../../../support/paths.js';
import { expectations, manifestEntries, optionsFor, UNPINNED_TIME } from '../manifest.js';
import { snpFixture } from './snp-fixture.js';
import { failedCheck } from '../failed-check.js';

const NOW = new Date(UNPINNED_TIME);
const REPORT = 'sev-snp/trustee/snp/test-report.bin';
const VCEK = 'sev-snp/trustee/snp/test-vcek.der';
const vcekOnly = (path = VCEK): VerifyOptions => ({ format: 'sev-snp', collateral: [{ role: 'vcek', data: readVector(path) }], now: NOW });

describe('SEV-SNP verifier: real vectors', () => {
  for (const entry of manifestEntries('sev-snp')) {
    for (const { at, verified } of expectations(entry)) {
      it(`${entry.id} at ${at ?? UNPINNED_TIME} → ${verified ? 'verified' : 'rejected'}`, async () => {
        const result = await verifyEvidence(readVector(entry.evidence), optionsFor(entry, at));
        assert.equal(result.verified, verified, JSON.stringify(result.failure));
        assert.equal(result.format, 'sev-snp');
        if (verified) {
          assert.equal(result.tee, 'sev-snp');
          assert.equal(result.claims?.tcbStatus, null);
          assert.deepEqual(result.claims?.advisoryIds, []);
          assert.ok(result.checks.some((c) => c.check === 'report.signature' && c.ok));
          assert.ok(result.appraisal.reasons.some((r) => r.includes('AMD publishes no TCB status')));
        } else assert.ok(result.failure?.check);
      });
    }
  }

  it('verifies the go-sev-guest VCEK chain at the time its source test uses, and not before the VCEK was issued', async () => {
    const options = (now: string): VerifyOptions => ({
      format: 'sev-snp',
      collateral: [{ role: 'vcek', data: readVector('sev-snp/go-sev-guest/vcek.testcer') }, { role: 'askArk', data: readVector('roots/amd-sev/go-sev-guest/ask_ark_milan.pem') }],
      now: new Date(now),
    });
    const evidence = readVector('sev-snp/go-sev-guest/attestation.bin');
    assert.equal((await verifyEvidence(evidence, options('2022-09-24T01:00:00Z'))).verified, true);
    assert.equal(failedCheck(await verifyEvidence(evidence, options('2022-09-24T00:00:00Z'))), 'vcek.chain');
    assert.equal(failedCheck(await verifyEvidence(evidence, options('2029-09-25T00:00:00Z'))), 'vcek.chain');
  });

  it('normalizes the claims (trustee Milan report)', async () => {
    const result = await verifyEvidence(readVector(REPORT), vcekOnly());
    assert.equal(result.verified, true);
    const c = result.claims!;
    assert.equal(c.measurement?.byteLength, 48);
    assert.equal(toHex(c.measurement!), toHex(readVector(REPORT).subarray(0x90, 0xc0)));
    assert.equal(toHex(c.reportData!), toHex(readVector(REPORT).subarray(0x50, 0x90)));
    assert.equal(c.svn, 4);
    assert.equal(c.debug, false);
    // the guest was launched with an ID block: its key digest is the signer
    assert.equal(toHex(c.signer!), toHex(readVector(REPORT).subarray(0xe0, 0x110)));
    assert.equal(result.rawClaims.product, 'Milan');
    assert.deepEqual(result.rawClaims.reported_tcb, { bootloader: 3, tee: 0, snp: 8, microcode: 115, raw: 0x7308000000000003n });
    // the host reports an older TCB than the platform runs: a warning, not a rejection
    assert.equal(result.appraisal.status, 'warning');
    assert.match(result.appraisal.reasons[0], /older TCB/);
  });

  it('checks a nonce against REPORT_DATA (the nonce itself, or its SHA-256 or SHA-512)', async () => {
    const report = readVector(REPORT);
    const prefix = report.subarray(0x50, 0x60);
    const ok = await verifyEvidence(report, { ...vcekOnly(), nonce: prefix });
    assert.equal(ok.verified, true, JSON.stringify(ok.failure));
    assert.deepEqual(ok.claims?.nonce, prefix);
    const stale = await verifyEvidence(report, { ...vcekOnly(), nonce: new Uint8Array(16).fill(7) });
    assert.equal(failedCheck(stale), 'nonce.binding');
    // one nonce outcome each, the true one
    const nonceChecks = (r: typeof ok) => r.checks.filter((c) => c.check.startsWith('nonce')).map((c) => `${c.check}:${c.ok}`);
    assert.deepEqual(nonceChecks(ok), ['nonce.binding:true']);
    assert.deepEqual(nonceChecks(stale), ['nonce.binding:false']);
    assert.equal(stale.checks.filter((c) => !c.ok).length, 1);
    const f = await snpFixture({ reportData: new Uint8Array(createHash('sha512').update('challenge-42').digest()) });
    const hashed = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, trustAnchors: [f.anchor], now: NOW, nonce: new TextEncoder().encode('challenge-42') });
    assert.equal(hashed.verified, true, JSON.stringify(hashed.failure));
  });

  it('detects the format from the bytes', async () => {
    const result = await verifyEvidence(readVector(REPORT), { ...vcekOnly(), format: undefined });
    assert.equal(result.format, 'sev-snp');
    assert.equal(result.verified, true);
  });

  it('uses the built-in AMD ASKs and ARKs when the collateral has only the VCEK or VLEK', async () => {
    assert.equal((await verifyEvidence(readVector(REPORT), vcekOnly())).verified, true);
    const vlek = await verifyEvidence(readVector('sev-snp/trustee/snp/test-vlek-report.bin'), {
      format: 'sev-snp',
      collateral: [{ role: 'vlek', data: readVector('sev-snp/trustee/snp/test-vlek.der') }],
      now: NOW,
    });
    assert.equal(vlek.verified, true, JSON.stringify(vlek.failure));
  });

  it('rejects when the built-in anchors are replaced by nothing', async () => {
    const result = await verifyEvidence(readVector(REPORT), { ...vcekOnly(), replaceBuiltInAnchors: true });
    assert.equal(failedCheck(result), 'vcek.chain');
    assert.match(result.failure!.message, /does not end at a trusted root/);
  });

  it('names the missing or mismatched endorsement key', async () => {
    assert.equal(failedCheck(await verifyEvidence(readVector(REPORT), { format: 'sev-snp', now: NOW })), 'vcek.present');
    // another chip's VCEK for the same TCB
    const other = await verifyEvidence(readVector(REPORT), vcekOnly('sev-snp/virtee-sev/vcek_milan.der'));
    assert.equal(failedCheck(other), 'report.signature');
    assert.ok(other.checks.some((c) => c.check === 'vcek.hwid' && !c.ok));
    // a VLEK-signed report with only a VCEK
    assert.equal(failedCheck(await verifyEvidence(readVector('sev-snp/trustee/snp/test-vlek-report.bin'), vcekOnly())), 'vlek.present');
    // a Genoa report (CPUID 19/11) with a Milan VCEK
    const genoa = await verifyEvidence(readVector('sev-snp/trustee/az-snp-vtpm/evidence-genoa.snp-report.bin'), vcekOnly());
    assert.equal(failedCheck(genoa), 'vcek.product');
  });

  it('picks the VCEK that signed the report when several are given', async () => {
    const result = await verifyEvidence(readVector(REPORT), {
      format: 'sev-snp',
      collateral: [
        { role: 'vcek', data: readVector('sev-snp/virtee-sev/vcek_milan.der') },
        { role: 'vcek', data: readVector(VCEK) },
      ],
      now: NOW,
    });
    assert.equal(result.verified, true);
  });

  it('rejects every single-byte change of the signed region and of the signature, never throwing', async () => {
    const good = readVector(REPORT);
    const options = vcekOnly();
    for (let i = 0; i < 0x2a0 + 144; i++) {
      const mutated = Uint8Array.from(good);
      mutated[i] ^= 0x01;
      const result = await verifyEvidence(mutated, options);
      assert.equal(result.verified, false, `byte ${i}`);
      assert.ok(result.failure && result.failure.message.length > 0, `byte ${i} names a reason`);
    }
  });

  it('rejects every truncation as unparseable', async () => {
    const good = readVector(REPORT);
    for (let length = 0; length < good.byteLength; length += 37) {
      assert.equal(failedCheck(await verifyEvidence(good.subarray(0, length), vcekOnly())), 'report.parse');
    }
  });
});

describe('SEV-SNP verifier: synthetic evidence under a test PKI', () => {
  it('is trusted only when its test ARK is passed explicitly', async () => {
    const f = await snpFixture();
    const untrusted = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, now: NOW });
    assert.equal(failedCheck(untrusted), 'vcek.chain');
    const trusted = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, trustAnchors: [f.anchor], now: NOW });
    assert.equal(trusted.verified, true, JSON.stringify(trusted.failure));
  });

  for (const version of [2, 3, 4, 5]) {
    it(`verifies report version ${version}`, async () => {
      const f = await snpFixture({ version, cpuid: [0x19, 0x01, 0x01], edit: (r) => version >= 5 && r.set([7, 0, 0, 0, 0, 0, 0, 0], 0x1f8) });
      const result = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, trustAnchors: [f.anchor], now: NOW });
      assert.equal(result.verified, true, JSON.stringify(result.failure));
      assert.equal(result.rawClaims.version, version);
      assert.equal(result.rawClaims.launch_mit_vector, version >= 5 ? 7n : null);
    });
  }

  it('verifies a Turin report: FMC in the TCB layout and the fmcSPL extension', async () => {
    const f = await snpFixture({
      product: 'Turin',
      version: 3,
      cpuid: [0x1a, 0x02, 0x01],
      tcb: [1, 2, 3, 4, 0, 0, 0, 9],
      vcekTcb: { fmc: 1, bl: 2, tee: 3, snp: 4, ucode: 9 },
      hwId: new Uint8Array(8).fill(0xc1),
    });
    const result = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, trustAnchors: [f.anchor], now: NOW });
    assert.equal(result.verified, true, JSON.stringify(result.failure));
    assert.deepEqual(result.rawClaims.reported_tcb, { fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 9, raw: 0x0900000004030201n });
  });

  it('rejects a report whose TCB or chip id differs from its VCEK, or whose CPUID names another product', async () => {
    const tcb = await snpFixture({ vcekTcb: { bl: 3, tee: 0, snp: 9, ucode: 115 } });
    const r1 = await verifyEvidence(tcb.report, { format: 'sev-snp', collateral: tcb.collateral, trustAnchors: [tcb.anchor], now: NOW });
    assert.equal(failedCheck(r1), 'vcek.tcb');
    assert.match(r1.failure!.message, /REPORTED_TCB \(bl=3 tee=0 snp=8 ucode=115\) differs .* \(bl=3 tee=0 snp=9 ucode=115\)/);
    const hw = await snpFixture({ hwId: new Uint8Array(64).fill(0xc2) });
    assert.equal(failedCheck(await verifyEvidence(hw.report, { format: 'sev-snp', collateral: hw.collateral, trustAnchors: [hw.anchor], now: NOW })), 'vcek.hwid');
    const product = await snpFixture({ version: 3, cpuid: [0x19, 0x11, 0x01] });
    assert.equal(failedCheck(await verifyEvidence(product.report, { format: 'sev-snp', collateral: product.collateral, trustAnchors: [product.anchor], now: NOW })), 'vcek.product');
  });

  it('appraises policy bits: debug and migration agent are warnings', async () => {
    const f = await snpFixture({ policy: 0x30000n | (1n << 19n) | (1n << 18n) });
    const result = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, trustAnchors: [f.anchor], now: NOW });
    assert.equal(result.verified, true);
    assert.equal(result.claims?.debug, true);
    assert.equal(result.appraisal.status, 'warning');
    assert.ok(result.appraisal.reasons.some((r) => r.startsWith('debug:')));
    assert.ok(result.appraisal.reasons.some((r) => r.includes('migration agent')));
    const strict = await verifyEvidence(f.report, { format: 'sev-snp', collateral: f.collateral, trustAnchors: [f.anchor], now: NOW, policy: {} });
    assert.equal(strict.appraisal.status, 'contraindicated');
  });
});
