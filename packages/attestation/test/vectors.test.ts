// Real evidence from ../shared/vectors through the service: pinned time, offline collateral, the
// vector's own anchors. The challenge is injected (the service's randomness) as the nonce each
// vector already binds, so the service's own nonce check runs for real.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { verifyEvidence, type Ear, type NormalizedClaimsJson } from 'secgear/attest';
import { requestChallenge } from 'secgear/agent';
import { createAttestationService, type AttestationService } from '../src/index.js';
import { ADMIN_TOKEN, admin, ok } from './support/harness.js';
import { anchorsFor, collateralFor, manifestEntries, readVector, type ManifestEntry } from './support/vectors.js';

/** Entries without a pinned time verify at this time (inside their validity, as the verifier tests use). */
const UNPINNED = '2025-06-01T00:00:00Z';
const services: AttestationService[] = [];
after(() => Promise.all(services.map((s) => s.close())));

async function serviceFor(entry: ManifestEntry, nonce: Uint8Array) {
  let handedOut = false;
  const service = await createAttestationService({
    logger: false,
    adminTokens: [ADMIN_TOKEN],
    clock: () => new Date(entry.at ?? UNPINNED),
    challengeBytes: nonce.byteLength,
    // the first challenge is the vector's nonce; everything else (session ids) stays random
    randomBytes: (size) => {
      if (!handedOut && size === nonce.byteLength) {
        handedOut = true;
        return nonce;
      }
      return new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(size)));
    },
    verifier: { collateral: collateralFor(entry), trustAnchors: anchorsFor(entry) },
  });
  services.push(service);
  return { service, url: await service.listen() };
}

async function submit(url: string, evidence: Uint8Array) {
  const challenge = await requestChallenge(url);
  return fetch(new URL('/attestation', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: challenge.cookie! },
    body: JSON.stringify({ challenge: challenge.challenge, evidence: Buffer.from(evidence).toString('base64url') }),
  });
}

/**
 * The nonce the evidence binds: its nonce claim, else (SGX, TDX, SEV-SNP, where the nonce travels
 * in the report data) the first 32 bytes of the report data.
 */
function boundNonce(claims: { tee: string; nonce: Uint8Array | null; reportData: Uint8Array | null }): Uint8Array | null {
  const inReportData = ['sgx', 'tdx', 'sev-snp'].includes(claims.tee);
  const n = claims.nonce ?? (inReportData ? (claims.reportData?.slice(0, 32) ?? null) : null);
  return n && n.byteLength >= 8 && n.byteLength <= 64 ? n : null;
}

const entries = manifestEntries().filter((e) => e.format !== 'ra-tls-cert' && (Object.keys(e.collateral).length > 0 || e.at !== null));

describe('real evidence through the service (../shared/vectors)', () => {
  for (const entry of entries) {
    it(`${entry.id}: ${entry.expect.verified ? `token${entry.expect.tcbStatus ? ` with ${entry.expect.tcbStatus}` : ''}` : 'refused'}`, async (t) => {
      const evidence = readVector(entry.evidence);
      const bare = await verifyEvidence(evidence, { format: entry.format, collateral: collateralFor(entry), trustAnchors: anchorsFor(entry), now: new Date(entry.at ?? UNPINNED) });
      assert.equal(bare.verified, entry.expect.verified, `bare verifier: ${bare.failure?.check}: ${bare.failure?.message}`);
      const nonce = bare.claims ? boundNonce(bare.claims) : null;
      if (entry.expect.verified && !nonce) {
        t.skip('the evidence binds no nonce of 8 to 64 bytes the service could have issued');
        return;
      }
      const { url } = await serviceFor(entry, nonce ?? new Uint8Array(32).fill(1));
      const response = await submit(url, evidence);
      if (!entry.expect.verified) {
        assert.equal(response.status, 403);
        return;
      }
      assert.equal(response.status, 200, await response.clone().text());
      const ear = decodeJwt(await response.text()) as unknown as Ear;
      const tee = bare.tee!;
      const sub = ear.submods[tee];
      // the default policy keeps the verifier's appraisal: the token says what the bare verifier says
      assert.equal(sub['ear.status'], bare.appraisal.status);
      assert.equal(ear.eat_nonce, Buffer.from(nonce!).toString('base64url'));
      const claims = sub['ear.veraison.annotated-evidence'] as NormalizedClaimsJson;
      if (entry.expect.tcbStatus) {
        assert.equal(claims.tcbStatus, entry.expect.tcbStatus);
        assert.deepEqual(claims.advisoryIds, entry.expect.advisoryIds ?? []);
        assert.equal(sub['ear.trustworthiness-vector'].configuration, entry.expect.tcbStatus === 'UpToDate' ? 2 : 32);
        assert.equal(sub['ear.status'], entry.expect.tcbStatus === 'UpToDate' ? 'affirming' : 'warning');
      }
      assert.equal(sub['ear.trustworthiness-vector'].hardware, 2);
    });
  }
});

describe('reference values for measurement registers (TDX RTMRs) decide the status', () => {
  const entry = manifestEntries().find((e) => e.id === 'tdx-dcapqvl-v4')!;

  it('an RTMR among the reference values keeps the status; another value contraindicates', async () => {
    const evidence = readVector(entry.evidence);
    const bare = await verifyEvidence(evidence, { format: 'tdx', collateral: collateralFor(entry), trustAnchors: anchorsFor(entry), now: new Date(entry.at!) });
    const rtmr1 = Buffer.from(bare.claims!.measurements.RTMR1).toString('hex');
    for (const [values, expected] of [[[rtmr1, 'ff'.repeat(48)], 'affirming'], [['ff'.repeat(48)], 'contraindicated']] as const) {
      const { url } = await serviceFor(entry, boundNonce(bare.claims!)!);
      await ok(admin(url, 'POST', '/reference', { references: [{ name: 'td.rtmr1', values, tee: 'tdx', provenance: 'event log replay', expires_at: '2030-01-01T00:00:00Z' }] }));
      await ok(admin(url, 'POST', '/policy', { tee: 'tdx', id: 'td', default: true, policy: 'claims.measurements.RTMR1 in ref["td.rtmr1"] ? verifier_status : "contraindicated"' }));
      const ear = decodeJwt(await ok(submit(url, evidence))) as unknown as Ear;
      assert.equal(ear.submods.tdx['ear.status'], expected);
      assert.equal(ear.submods.tdx['ear.trustworthiness-vector'].executables, expected === 'affirming' ? 2 : 33);
    }
  });

  it('an expired reference value no longer counts', async () => {
    const evidence = readVector(entry.evidence);
    const bare = await verifyEvidence(evidence, { format: 'tdx', collateral: collateralFor(entry), trustAnchors: anchorsFor(entry), now: new Date(entry.at!) });
    const { url } = await serviceFor(entry, boundNonce(bare.claims!)!);
    const rtmr1 = Buffer.from(bare.claims!.measurements.RTMR1).toString('hex');
    await ok(admin(url, 'POST', '/reference', { references: [{ name: 'td.rtmr1', values: [rtmr1], tee: 'tdx', provenance: 'old build', expires_at: '2025-01-01T00:00:00Z' }] }));
    await ok(admin(url, 'POST', '/policy', { tee: 'tdx', id: 'td', default: true, policy: '"td.rtmr1" in ref ? "affirming" : "contraindicated"' }));
    const ear = decodeJwt(await ok(submit(url, evidence))) as unknown as Ear;
    assert.equal(ear.submods.tdx['ear.status'], 'contraindicated');
  });
});
