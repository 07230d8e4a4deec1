import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { INTEL_SGX_ROOT_CA_DER, loadTrustAnchors, verifyEvidence } from '../../../src/attest/index.js';
import { INTEL_SGX_ROOT_CA_SHA256 } from '../../../src/attest/intel/intel-root-ca.js';
import type { CollateralItem, VerificationResult } from '../../../src/attest/types.js';
import { makeIntelFixture, type FixtureOptions } from '../../support/intel-fixture.js';
import { readVector, vectorPath } from '../../support/paths.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const failure = (r: VerificationResult) => (r.failure ? `${r.failure.check}: ${r.failure.message}` : 'none');

async function verifyFixture(options: FixtureOptions, tweak?: (items: CollateralItem[]) => CollateralItem[]) {
  const f = makeIntelFixture(options);
  const collateral = tweak ? tweak(f.collateral) : f.collateral;
  return verifyEvidence(f.quote, { collateral, trustAnchors: [f.anchor], now: f.now });
}

describe('built-in trust anchor', () => {
  it('is the real Intel SGX Root CA', () => {
    assert.equal(sha256(INTEL_SGX_ROOT_CA_DER), INTEL_SGX_ROOT_CA_SHA256);
    assert.deepEqual(INTEL_SGX_ROOT_CA_DER, readVector('roots/intel-sgx-root-ca/dcap-qvl_TrustedRootCA.der'));
  });

  it('verifies real quotes with no anchor passed', async () => {
    const r = await verifyEvidence(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'), { collateral: [{ role: 'bundle', data: readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.json') }], now: new Date('2025-07-19T10:01:17Z') });
    assert.equal(r.verified, true, failure(r));
    assert.equal(r.format, 'sgx-dcap');
  });

  it('rejects the synthetic Intel sample unless its test root is passed explicitly', async () => {
    const quote = readVector('sgx-dcap/intel-qvl-sampledata-SYNTHETIC/quote.dat');
    const collateral = [
      { role: 'pckCert', data: readVector('sgx-dcap/intel-qvl-sampledata-SYNTHETIC/pckCert.pem') },
      { role: 'pckCertChain', data: readVector('sgx-dcap/intel-qvl-sampledata-SYNTHETIC/pckSignChain.pem') },
    ];
    const now = new Date('2025-01-01T00:00:00Z');
    const builtIn = await verifyEvidence(quote, { collateral, now });
    assert.equal(builtIn.verified, false);
    // the test chain is refused before it is used: it does not lead to the real Intel root
    assert.equal(builtIn.failure?.check, 'collateral.certificate');
    const realOnly = await verifyEvidence(quote, { collateral: collateral.slice(0, 1), now });
    assert.equal(realOnly.failure?.check, 'collateral.certificate');
    const { anchors } = await loadTrustAnchors([vectorPath('sgx-dcap/intel-qvl-sampledata-SYNTHETIC/trustedRootCaCert.pem')]);
    const explicit = await verifyEvidence(quote, { collateral, trustAnchors: anchors, now });
    assert.equal(explicit.verified, true, failure(explicit));
  });

  it('verifies the synthetic TDX sample against its test root up to the TCB evaluation its collateral cannot pass', async () => {
    const dir = 'tdx/intel-qvl-sampledata-SYNTHETIC/';
    const items = (files: string[]) => files.map((f) => ({ role: 'unrecognised', data: readVector(dir + f), source: f }));
    const der = new Uint8Array(Buffer.from(Buffer.from(readVector(`${dir}trustedRootCaCert.pem`)).toString().replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const options = { trustAnchors: [{ kind: 'x509' as const, der }], replaceBuiltInAnchors: true, now: new Date('2025-01-01T00:00:00Z') };
    const quote = readVector(`${dir}quote.dat`);
    // signatures, chain and both CRLs verify
    const base = ['intermediateCaCrl.der', 'rootCaCrl.der', 'tcbSignChain.pem', 'pckSignChain.pem'];
    const r = await verifyEvidence(quote, { ...options, collateral: items(base) });
    assert.equal(r.verified, true, failure(r));
    assert.ok(r.checks.some((c) => c.check === 'crl.pck.signature' && c.ok));
    // its TCB Info verifies too, but names no identity for the quote's TDX module version (0xC1), as QVL reports
    const withTcbInfo = await verifyEvidence(quote, { ...options, collateral: items([...base, 'tcbInfo.json']) });
    assert.equal(withTcbInfo.failure?.check, 'tdxModule.identity', failure(withTcbInfo));
    assert.ok(withTcbInfo.checks.some((c) => c.check === 'tcbInfo.signature' && c.ok));
  });
});

describe('without collateral', () => {
  it('checks signatures and the PCK chain, leaves the TCB status unknown and warns why', async () => {
    const r = await verifyEvidence(readVector('tdx/trustee/tdx_quote_4.dat'), { now: new Date('2026-01-01T00:00:00Z') });
    assert.equal(r.verified, true, failure(r));
    assert.equal(r.claims?.tcbStatus, null);
    assert.equal(r.appraisal.status, 'warning');
    assert.match(r.appraisal.reasons.join(' '), /no.*collateral|TCB status is unknown/i);
    for (const check of ['quote.signature', 'qe.reportSignature', 'qe.reportDataBinding', 'pck.chain']) assert.ok(r.checks.some((c) => c.check === check && c.ok), check);
  });

  it('still rejects an expired PCK certificate', async () => {
    const r = await verifyEvidence(readVector('tdx/trustee/tdx_quote_4.dat'), { now: new Date('2040-01-01T00:00:00Z') });
    assert.equal(r.verified, false);
    assert.equal(r.failure?.check, 'pck.chain');
  });
});

describe('normalized claims', () => {
  it('SGX: measurement = MRENCLAVE, signer = MRSIGNER, product, SVN, debug from ATTRIBUTES', async () => {
    const f = makeIntelFixture({ report: { mrEnclave: new Uint8Array(32).fill(0x42), mrSigner: new Uint8Array(32).fill(0x43), isvProdId: 7, isvSvn: 9, attributes: Uint8Array.from([0x07]) } });
    const r = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], now: f.now });
    assert.equal(r.verified, true, failure(r));
    assert.deepEqual(r.claims?.measurement, new Uint8Array(32).fill(0x42));
    assert.deepEqual(r.claims?.signer, new Uint8Array(32).fill(0x43));
    assert.equal(r.claims?.prodId, 7);
    assert.equal(r.claims?.svn, 9);
    assert.equal(r.claims?.debug, true);
    assert.equal(r.appraisal.status, 'warning');
    assert.ok(r.appraisal.reasons.some((x) => x.startsWith('debug:')));
  });

  it('TDX: measurement = MRTD, RTMR0-3 and owner fields by name, debug from TD_ATTRIBUTES', async () => {
    const f = makeIntelFixture({ tee: 'tdx', td: { mrTd: new Uint8Array(48).fill(0x5a), tdAttributes: Uint8Array.from([1]) } });
    const r = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], now: f.now });
    assert.equal(r.verified, true, failure(r));
    assert.equal(r.tee, 'tdx');
    assert.deepEqual(r.claims?.measurement, new Uint8Array(48).fill(0x5a));
    assert.deepEqual(Object.keys(r.claims?.measurements ?? {}).sort(), ['MRCONFIGID', 'MROWNER', 'MROWNERCONFIG', 'MRSEAM', 'MRTD', 'RTMR0', 'RTMR1', 'RTMR2', 'RTMR3']);
    assert.deepEqual(r.claims?.measurements.RTMR2, new Uint8Array(48).fill(0xa2));
    assert.equal(r.claims?.debug, true);
    assert.equal(r.claims?.signer, null);
  });

  it('binds a nonce found in REPORTDATA (as is, or its SHA-256) and rejects another', async () => {
    const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const asIs = makeIntelFixture({ report: { reportData: Uint8Array.from([...nonce, ...new Uint8Array(56)]) } });
    const ok = await verifyEvidence(asIs.quote, { collateral: asIs.collateral, trustAnchors: [asIs.anchor], now: asIs.now, nonce });
    assert.equal(ok.verified, true, failure(ok));
    assert.deepEqual(ok.claims?.nonce, nonce);
    const hashed = makeIntelFixture({ report: { reportData: Uint8Array.from([...createHash('sha256').update(nonce).digest(), ...new Uint8Array(32)]) } });
    assert.equal((await verifyEvidence(hashed.quote, { collateral: hashed.collateral, trustAnchors: [hashed.anchor], now: hashed.now, nonce })).verified, true);
    const stale = await verifyEvidence(asIs.quote, { collateral: asIs.collateral, trustAnchors: [asIs.anchor], now: asIs.now, nonce: Uint8Array.from([9, 9, 9]) });
    assert.equal(stale.verified, false);
    assert.equal(stale.failure?.check, 'nonce.binding');
    assert.equal(stale.claims?.nonce, null);
  });

  it('records the nonce check once, with its true outcome', async () => {
    const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const f = makeIntelFixture({ report: { reportData: Uint8Array.from([...nonce, ...new Uint8Array(56)]) } });
    const nonceChecks = (r: VerificationResult) => r.checks.filter((c) => c.check.startsWith('nonce'));
    const ok = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], now: f.now, nonce });
    assert.deepEqual(nonceChecks(ok), [{ check: 'nonce.binding', ok: true }]);
    const stale = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], now: f.now, nonce: Uint8Array.from([9, 9, 9]) });
    assert.deepEqual(nonceChecks(stale), [{ check: 'nonce.binding', ok: false, detail: stale.failure?.message }]);
    assert.equal(stale.checks.filter((c) => !c.ok).length, 1, 'the failed binding is the only failure');
    // a quote rejected before the binding is reached reports no nonce outcome at all
    const unanchored = await verifyEvidence(f.quote, { collateral: f.collateral, now: f.now, nonce });
    assert.notEqual(unanchored.failure?.check, undefined);
    assert.deepEqual(nonceChecks(unanchored), []);
  });
});

describe('revocation and collateral checks', () => {
  it('rejects a PCK certificate listed on the PCK CRL', async () => {
    const r = await verifyFixture({ revokePck: true });
    assert.equal(r.failure?.check, 'pck.revocation');
  });
  it('rejects a PCK CA listed on the root CA CRL', async () => {
    const r = await verifyFixture({ revokeCa: true });
    assert.equal(r.failure?.check, 'pck.revocation');
    assert.match(r.failure?.message ?? '', /root CA CRL/);
  });
  it('rejects a PCK CRL not signed by the PCK CA', async () => {
    assert.equal((await verifyFixture({ forgePckCrl: true })).failure?.check, 'crl.pck.signature');
  });
  it('rejects expired collateral and collateral from the future', async () => {
    const f = makeIntelFixture();
    const later = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], now: new Date(f.now.getTime() + 40 * 86400e3) });
    assert.match(later.failure?.check ?? '', /\.validity$/);
    const earlier = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], now: new Date(f.now.getTime() - 2 * 86400e3) });
    assert.match(earlier.failure?.check ?? '', /\.validity$/);
  });
  it('rejects a TCB Info whose signed bytes were altered', async () => {
    const r = await verifyFixture({}, (items) =>
      items.map((i) => (i.role === 'tcbInfo' ? { ...i, data: new Uint8Array(Buffer.from(Buffer.from(i.data).toString().replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18'))) } : i)),
    );
    assert.equal(r.failure?.check, 'tcbInfo.signature');
  });
  it('rejects TCB Info signed by another key, and a signing chain from another PKI', async () => {
    const other = makeIntelFixture();
    const resigned = await verifyFixture({}, (items) => items.map((i) => (i.role === 'tcbInfo' ? other.collateral.find((o) => o.role === 'tcbInfo')! : i)));
    assert.equal(resigned.failure?.check, 'tcbInfo.signature');
    const foreign = await verifyFixture({}, (items) => items.map((i) => (i.role === 'tcbInfoIssuerChain' ? other.collateral.find((o) => o.role === 'tcbInfoIssuerChain')! : i)));
    assert.equal(foreign.failure?.check, 'collateral.certificate');
  });
  it('rejects a CRL from an unknown issuer instead of ignoring it', async () => {
    const other = makeIntelFixture();
    const r = await verifyFixture({}, (items) => [...items, other.collateral.find((o) => o.role === 'rootCrl')!]);
    // same issuer name as our root, but the signature gives it away
    assert.equal(r.failure?.check, 'crl.root.signature');
  });
  it('rejects SGX TCB Info for a TDX quote, and a TD_QE identity for an SGX quote', async () => {
    assert.equal((await verifyFixture({ tee: 'tdx', collateralTee: 'sgx' })).failure?.check, 'tcbInfo.tee');
    const sgx = await verifyFixture({ collateralTee: 'tdx' }, (items) => items.filter((i) => i.role !== 'tcbInfo'));
    assert.equal(sgx.failure?.check, 'qeIdentity.id');
  });
  it('rejects any given TCB Info or QE identity whose signature fails, even one it would not use', async () => {
    const other = makeIntelFixture({ tee: 'tdx' });
    const r = await verifyFixture({}, (items) => [...items, other.collateral.find((o) => o.role === 'qeIdentity')!]);
    assert.equal(r.failure?.check, 'qeIdentity.signature');
  });
  it('reports collateral it cannot read instead of ignoring it', async () => {
    const r = await verifyFixture({}, (items) => [...items, { role: 'tcbInfo', data: new Uint8Array(Buffer.from('{"tcbInfo":5}')), source: 'broken.json' }]);
    assert.equal(r.failure?.check, 'collateral.tcbInfo');
    assert.match(r.failure?.message ?? '', /broken\.json/);
  });
  it('warns about each missing piece of partial collateral', async () => {
    const r = await verifyFixture({}, (items) => items.filter((i) => i.role === 'tcbInfo' || i.role === 'tcbInfoIssuerChain'));
    assert.equal(r.verified, true, failure(r));
    assert.equal(r.claims?.tcbStatus, 'UpToDate');
    assert.equal(r.appraisal.status, 'warning');
    const reasons = r.appraisal.reasons.join('\n');
    assert.match(reasons, /no root CA CRL/);
    assert.match(reasons, /no PCK CRL/);
    assert.match(reasons, /no QE identity/);
  });
  it('refuses an unreadable trust anchor instead of ignoring it, and works with no built-in root', async () => {
    const f = makeIntelFixture();
    const bad = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor, { kind: 'x509', der: new Uint8Array(10) }], now: f.now });
    assert.equal(bad.failure?.check, 'anchors');
    const none = await verifyEvidence(f.quote, { collateral: f.collateral, replaceBuiltInAnchors: true, now: f.now });
    assert.equal(none.failure?.check, 'anchors');
    const only = await verifyEvidence(f.quote, { collateral: f.collateral, trustAnchors: [f.anchor], replaceBuiltInAnchors: true, now: f.now });
    assert.equal(only.verified, true, failure(only));
  });
  it('rejects a quote verified under the other TEE format', async () => {
    const f = makeIntelFixture({ tee: 'tdx' });
    const r = await verifyEvidence(f.quote, { format: 'sgx-dcap', trustAnchors: [f.anchor], now: f.now });
    assert.equal(r.failure?.check, 'quote.teeType');
  });
});

describe('TCB status, as Intel QVL merges it', () => {
  const levels = (status: 'UpToDate' | 'SWHardeningNeeded' | 'ConfigurationNeeded' | 'ConfigurationAndSWHardeningNeeded' | 'OutOfDate' | 'Revoked', advisories?: string[]) => [
    { sgx: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13, tdx: [3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], status, advisories },
  ];
  const cases: Array<[string, FixtureOptions, string, string[]]> = [
    ['platform SWHardeningNeeded', { tcbLevels: levels('SWHardeningNeeded', ['INTEL-SA-00615']) }, 'SWHardeningNeeded', ['INTEL-SA-00615']],
    ['QE OutOfDate turns UpToDate into OutOfDate', { qeLevels: [{ isvSvn: 9, status: 'UpToDate' }, { isvSvn: 8, status: 'OutOfDate', advisories: ['INTEL-SA-00477'] }] }, 'OutOfDate', ['INTEL-SA-00477']],
    ['QE OutOfDate turns ConfigurationNeeded into OutOfDateConfigurationNeeded', { tcbLevels: levels('ConfigurationNeeded', ['INTEL-SA-00289']), qeLevels: [{ isvSvn: 8, status: 'OutOfDate', advisories: ['INTEL-SA-00615'] }] }, 'OutOfDateConfigurationNeeded', ['INTEL-SA-00289', 'INTEL-SA-00615']],
    ['QE OutOfDate keeps OutOfDate', { tcbLevels: levels('OutOfDate'), qeLevels: [{ isvSvn: 8, status: 'OutOfDate' }] }, 'OutOfDate', []],
    ['a lower platform level is selected when the PCK SVNs do not meet the first', { pckComponents: [3, 3, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], tcbLevels: [...levels('UpToDate'), { sgx: [3, 3, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13, status: 'OutOfDate', advisories: ['INTEL-SA-00828'] }] }, 'OutOfDate', ['INTEL-SA-00828']],
  ];
  for (const [what, options, status, advisories] of cases) {
    it(what, async () => {
      const r = await verifyFixture(options);
      assert.equal(r.verified, true, failure(r));
      assert.equal(r.claims?.tcbStatus, status);
      assert.deepEqual(r.claims?.advisoryIds, advisories);
      assert.equal(r.appraisal.status, 'warning');
      assert.ok(r.appraisal.reasons[0].startsWith('tcb:'));
    });
  }

  it('a revoked platform TCB or QE is rejected', async () => {
    const platform = await verifyFixture({ tcbLevels: levels('Revoked') });
    assert.equal(platform.verified, false);
    assert.equal(platform.failure?.check, 'tcb.status');
    assert.equal(platform.claims?.tcbStatus, 'Revoked');
    const qe = await verifyFixture({ qeLevels: [{ isvSvn: 8, status: 'Revoked' }] });
    assert.equal(qe.failure?.check, 'tcb.status');
  });

  it('rejects when no TCB level is met (TCB not supported)', async () => {
    const r = await verifyFixture({ pceSvn: 5, tcbLevels: levels('UpToDate') });
    assert.equal(r.failure?.check, 'tcb.level');
  });

  it('rejects a QE below every QE identity level', async () => {
    assert.equal((await verifyFixture({ qeIsvSvn: 2 })).failure?.check, 'qeIdentity.isvSvn');
  });

  it('TDX: the TEE TCB SVN selects the level', async () => {
    const r = await verifyFixture({
      tee: 'tdx',
      td: { teeTcbSvn: [3, 0, 1] },
      tcbLevels: [
        { sgx: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13, tdx: [3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], status: 'UpToDate' },
        { sgx: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13, tdx: [3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], status: 'OutOfDate', advisories: ['INTEL-SA-01036'] },
      ],
    });
    assert.equal(r.claims?.tcbStatus, 'OutOfDate', failure(r));
    assert.deepEqual(r.claims?.advisoryIds, ['INTEL-SA-01036']);
  });

  it('TDX: a module version in TEE_TCB_SVN[1] uses the TDX_nn module identity and its own levels', async () => {
    const base: FixtureOptions = {
      tee: 'tdx',
      td: { teeTcbSvn: [2, 3, 2] },
      // bytes 0-1 belong to the module identity, so the level's 9/9 there must not matter
      tcbLevels: [{ sgx: [4, 4, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13, tdx: [9, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], status: 'UpToDate' }],
    };
    const upToDate = await verifyFixture({ ...base, moduleIdentities: [{ id: 'TDX_03', levels: [{ isvSvn: 2, status: 'UpToDate' }] }] });
    assert.equal(upToDate.claims?.tcbStatus, 'UpToDate', failure(upToDate));
    const outOfDate = await verifyFixture({ ...base, moduleIdentities: [{ id: 'TDX_03', levels: [{ isvSvn: 4, status: 'UpToDate' }, { isvSvn: 1, status: 'OutOfDate', advisories: ['INTEL-SA-00960'] }] }] });
    assert.equal(outOfDate.claims?.tcbStatus, 'OutOfDate', failure(outOfDate));
    assert.deepEqual(outOfDate.claims?.advisoryIds, ['INTEL-SA-00960']);
    const missing = await verifyFixture({ ...base, moduleIdentities: [{ id: 'TDX_01', levels: [{ isvSvn: 2, status: 'UpToDate' }] }] });
    assert.equal(missing.failure?.check, 'tdxModule.identity');
    const tooOld = await verifyFixture({ ...base, moduleIdentities: [{ id: 'TDX_03', levels: [{ isvSvn: 5, status: 'UpToDate' }] }] });
    assert.equal(tooOld.failure?.check, 'tdxModule.tcbLevel');
    const wrongSigner = await verifyFixture({ ...base, moduleIdentities: [{ id: 'TDX_03', mrSigner: new Uint8Array(48).fill(1), levels: [{ isvSvn: 2, status: 'UpToDate' }] }] });
    assert.equal(wrongSigner.failure?.check, 'tdxModule.identity');
  });

  it('TDX: MRSIGNERSEAM and SEAM attributes must match the TDX module', async () => {
    assert.equal((await verifyFixture({ tee: 'tdx', td: { mrSignerSeam: new Uint8Array(48).fill(7) } })).failure?.check, 'tdxModule.identity');
    assert.equal((await verifyFixture({ tee: 'tdx', td: { seamAttributes: Uint8Array.from([1]) } })).failure?.check, 'tdxModule.identity');
  });

  it('quote versions 3, 4 and 5 with trailing bytes all verify', async () => {
    for (const options of [{ version: 3 }, { version: 4 }, { version: 5 }, { tee: 'tdx', version: 4 }, { tee: 'tdx', version: 5 }] as FixtureOptions[]) {
      const r = await verifyFixture({ ...options, trailing: new Uint8Array(70) });
      assert.equal(r.verified, true, `${JSON.stringify(options)}: ${failure(r)}`);
      assert.equal(r.rawClaims.trailingBytes, 70);
    }
  });
});

describe('real vectors: expected failures name their check', () => {
  it('go-tdx-guest v4 quote: no TCB level of the unmodified TCB Info matches', async () => {
    const dir = 'tdx/go-tdx-guest/';
    const collateral = [
      ['tcbInfo', 'sample_tcbInfo_response'],
      ['qeIdentity', 'sample_qeIdentity_response'],
      ['pckCrl', 'pckcrl'],
      ['rootCrl', 'rootcrl.der'],
      ['pckCrlIssuerChain', 'pcs_headers/SGX-PCK-CRL-Issuer-Chain.pem'],
      ['tcbInfoIssuerChain', 'pcs_headers/TCB-Info-Issuer-Chain.pem'],
    ].map(([role, f]) => ({ role, data: readVector(dir + f) }));
    const r = await verifyEvidence(readVector(`${dir}tdx_prod_quote_SPR_E4.dat`), { collateral, now: new Date('2023-07-01T01:00:00Z') });
    assert.equal(r.failure?.check, 'tcb.level', failure(r));
    assert.ok(r.checks.filter((c) => c.check !== 'tcb.level').every((c) => c.ok));
    const expired = await verifyEvidence(readVector(`${dir}tdx_prod_quote_SPR_E4.dat`), { collateral, now: new Date('2053-07-01T01:00:00Z') });
    assert.equal(expired.verified, false);
  });
});

describe('caching never carries a verdict across time or content', () => {
  const quote = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin');
  const bundle = () => [{ role: 'bundle', data: new Uint8Array(readVector('sgx-dcap/dcap-qvl/sgx_quote_collateral.json')), source: 'bundle' }];

  it('re-checks every validity window at each call: valid, expired, valid again', async () => {
    const collateral = bundle();
    const at = (iso: string) => verifyEvidence(quote, { collateral, now: new Date(iso) });
    assert.equal((await at('2025-07-19T10:01:17Z')).verified, true);
    assert.equal((await at('2025-07-20T00:00:00Z')).verified, false);
    assert.equal((await at('2025-06-01T00:00:00Z')).verified, false, 'before the collateral was issued');
    assert.equal((await at('2025-07-19T10:01:17Z')).verified, true);
  });

  it('keys parsed collateral by content: bytes changed in place after a success are checked anew', async () => {
    const collateral = bundle();
    const now = new Date('2025-07-19T10:01:17Z');
    assert.equal((await verifyEvidence(quote, { collateral, now })).verified, true);
    const text = Buffer.from(collateral[0].data).toString('utf8');
    // 17 -> 18 inside the signed tcb_info string (stays valid JSON, changes the signed bytes)
    const j = text.indexOf('17', text.indexOf('tcbEvaluationDataNumber'));
    collateral[0].data[j + 1] = '8'.charCodeAt(0);
    const r = await verifyEvidence(quote, { collateral, now });
    assert.equal(r.verified, false);
    assert.match(r.failure?.check ?? '', /^(tcbInfo|qeIdentity)\.signature$/);
  });

  it('a quote signature is checked on every call, not remembered', async () => {
    const collateral = bundle();
    const now = new Date('2025-07-19T10:01:17Z');
    assert.equal((await verifyEvidence(quote, { collateral, now })).verified, true);
    const forged = new Uint8Array(quote);
    forged[100] ^= 1; // inside the ISV enclave report
    assert.equal((await verifyEvidence(forged, { collateral, now })).failure?.check, 'quote.signature');
    assert.equal((await verifyEvidence(quote, { collateral, now })).verified, true);
  });
});
