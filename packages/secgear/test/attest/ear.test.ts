// EAR (RATS attestation results) from verification results: the status, the AR4SI vector, the
// normalized claims as hex, and `secgear verify-evidence --ear` printing the same shape.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildEar, EAR_PROFILE, earOverallStatus, earSubmodule, loadCollateral, verifyEvidence } from '../../src/attest/index.js';
import { repoRoot, readVector, vectorPath } from '../support/paths.js';

const cli = join(repoRoot, 'packages', 'secgear', 'dist', 'src', 'cli', 'main.js');
const AT = new Date('2025-07-19T10:01:17Z');

describe('EAR', () => {
  it('a verified SGX quote whose TCB needs updates: warning, configuration 32, hardware 2, claims as hex', async () => {
    const collateral = await loadCollateral([vectorPath('sgx-dcap/dcap-qvl/sgx_quote_collateral.json')]);
    const result = await verifyEvidence(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'), { collateral: collateral.items, now: AT });
    const sub = earSubmodule(result, { policyIds: ['p1', 'p2'] });
    assert.equal(sub['ear.status'], 'warning');
    assert.deepEqual(sub['ear.trustworthiness-vector'], { 'instance-identity': 2, hardware: 2, 'runtime-opaque': result.claims!.debug ? 96 : 2, configuration: 32 });
    assert.equal(sub['ear.appraisal-policy-id'], 'p1,p2');
    const claims = sub['ear.veraison.annotated-evidence'] as { measurement: string; tcbStatus: string; advisoryIds: string[]; format: string };
    assert.equal(claims.measurement, Buffer.from(result.claims!.measurement!).toString('hex'));
    assert.equal(claims.tcbStatus, 'ConfigurationAndSWHardeningNeeded');
    assert.deepEqual(claims.advisoryIds, ['INTEL-SA-00289', 'INTEL-SA-00615']);
    const ear = buildEar({ submods: { sgx: sub }, issuedAt: AT, nonce: new Uint8Array(32).fill(9) });
    assert.equal(ear.eat_profile, EAR_PROFILE);
    assert.equal(ear.iat, AT.getTime() / 1000);
    assert.equal(ear.eat_nonce, Buffer.from(new Uint8Array(32).fill(9)).toString('base64url'));
    assert.equal(earOverallStatus(ear), 'warning');
  });

  it('unverifiable evidence: contraindicated and an untrustworthy instance, nothing else claimed', async () => {
    const bytes = readVector('sgx-dcap/dcap-qvl/sgx_quote.bin').slice();
    bytes[100] ^= 1;
    const sub = earSubmodule(await verifyEvidence(bytes, { now: AT }));
    assert.equal(sub['ear.status'], 'contraindicated');
    assert.deepEqual(sub['ear.trustworthiness-vector'], { 'instance-identity': 96 });
  });

  it('refuses an EAR without submodules, a bad time or an out-of-range nonce; the worst status wins', () => {
    assert.throws(() => buildEar({ submods: {}, issuedAt: AT }), { code: 'CC_ERROR_BAD_PARAMETERS' });
    assert.throws(() => buildEar({ submods: { x: {} as never }, issuedAt: new Date(NaN) }), { code: 'CC_ERROR_BAD_PARAMETERS' });
    assert.throws(() => buildEar({ submods: { x: {} as never }, issuedAt: AT, nonce: new Uint8Array(4) }), { code: 'CC_ERROR_BAD_PARAMETERS' });
    const s = (status: string) => ({ 'ear.status': status }) as never;
    assert.equal(earOverallStatus({ submods: { a: s('affirming'), b: s('warning') } }), 'warning');
    assert.equal(earOverallStatus({ submods: { a: s('affirming'), b: s('bogus') } }), 'contraindicated');
    assert.equal(earOverallStatus({ submods: {} }), 'contraindicated');
  });

  it('secgear verify-evidence --ear prints the EAR claims set', () => {
    const r = spawnSync(process.execPath, [cli, 'verify-evidence', vectorPath('sgx-dcap/dcap-qvl/sgx_quote.bin'), '--collateral', vectorPath('sgx-dcap/dcap-qvl/sgx_quote_collateral.json'), '--at', AT.toISOString(), '--ear'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const ear = JSON.parse(r.stdout) as { eat_profile: string; submods: { sgx: { 'ear.status': string } } };
    assert.equal(ear.eat_profile, EAR_PROFILE);
    assert.equal(ear.submods.sgx['ear.status'], 'warning');
  });
});
