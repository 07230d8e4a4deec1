import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { toHex } from '../../../../src/common/bytes.js';
import { verifyEvidence } from '../../../../src/attest/index.js';
import type { VerifyOptions } from '../../../../src/attest/types.js';
import { readVector } from '../../../support/paths.js';
import { issueCertificate } from '../../../support/synthetic-pki.js';
import { anchorsFrom, expectations, manifestEntries, optionsFor } from '../manifest.js';
import { buildToken, rawPoint } from '../cca/cca-fixture.js';
import { failedCheck } from '../failed-check.js';

const TOKEN = 'arm-cca/secgear/virtcca.cbor.decoded.bin';
const AIK = 'arm-cca/secgear/virtcca_aik_cert.der';
const ROOT = 'arm-cca/secgear/Huawei_Equipment_Root_CA.pem';
const IT_CA = 'arm-cca/secgear/Huawei_IT_Product_CA.pem';

describe('virtCCA verifier: the published token', () => {
  for (const entry of manifestEntries('virtcca')) {
    for (const { at, verified } of expectations(entry)) {
      it(`${entry.id} → ${verified ? 'verified' : 'rejected'}, and appraised as unbound`, async () => {
        const result = await verifyEvidence(readVector(entry.evidence), optionsFor(entry, at));
        assert.equal(result.verified, verified, JSON.stringify(result.failure));
        // no platform token: every check passes, yet nothing ties the CVM key to the AIK
        assert.equal(result.appraisal.status, 'contraindicated');
        assert.match(result.appraisal.reasons[0], /no platform token, so nothing binds the CVM signing key to the AIK/);
      });
    }
  }

  it('reports the CVM claims and detects the format', async () => {
    const result = await verifyEvidence(readVector(TOKEN), { collateral: [{ role: 'aikCert', data: readVector(AIK) }], trustAnchors: anchorsFrom([ROOT, IT_CA]) });
    assert.equal(result.format, 'virtcca');
    assert.equal(result.tee, 'virtcca');
    // rejected for the missing platform token only: the claims are still reported
    assert.equal(failedCheck(result), 'platform.binding');
    const c = result.claims!;
    assert.ok(toHex(c.nonce!).startsWith('783c7f3e50bfffff'));
    assert.equal(toHex(c.measurement!), '7309ec52e2870938ffa6930793d61e55ab982a756111410829d6073f66c71708');
    assert.equal(c.debug, null);
    assert.equal((result.rawClaims.cvm as Record<string, unknown>).signature_algorithm, -37);
  });

  it('names the missing AIK certificate and an AIK chain that reaches no anchor', async () => {
    assert.equal(failedCheck(await verifyEvidence(readVector(TOKEN), { format: 'virtcca', trustAnchors: anchorsFrom([ROOT, IT_CA]) })), 'aik.present');
    const collateral = [{ role: 'aikCert', data: readVector(AIK) }];
    assert.equal(failedCheck(await verifyEvidence(readVector(TOKEN), { format: 'virtcca', collateral })), 'aik.chain');
    assert.equal(failedCheck(await verifyEvidence(readVector(TOKEN), { format: 'virtcca', collateral, trustAnchors: anchorsFrom([ROOT]) })), 'aik.chain');
    // the intermediate as collateral and only the root as anchor is a full chain
    const full = await verifyEvidence(readVector(TOKEN), { format: 'virtcca', collateral: [...collateral, { role: 'chain', data: readVector(IT_CA) }], trustAnchors: anchorsFrom([ROOT]) });
    assert.equal(full.checks.find((c) => c.check === 'aik.chain')?.ok, true, JSON.stringify(full.checks));
    assert.equal(failedCheck(full), 'platform.binding');
  });

  it('finds the AIK among other leaf certificates given as collateral (a mixed collateral folder)', async () => {
    const vcek = { role: 'vcek', data: readVector('sev-snp/trustee/snp/test-vcek.der') };
    const result = await verifyEvidence(readVector(TOKEN), { format: 'virtcca', collateral: [vcek, { role: 'aikCert', data: readVector(AIK) }], trustAnchors: anchorsFrom([ROOT, IT_CA]) });
    assert.equal(result.checks.find((c) => c.check === 'aik.chain')?.ok, true, JSON.stringify(result.checks));
    assert.equal(failedCheck(result), 'platform.binding');
    assert.match(result.checks.find((c) => c.check === 'aik.present')?.detail ?? '', /O=Huawei/);
  });

  it('rejects every single-byte change and every truncation, never throwing', async () => {
    const good = readVector(TOKEN);
    const options: VerifyOptions = { format: 'virtcca', collateral: [{ role: 'aikCert', data: readVector(AIK) }], trustAnchors: anchorsFrom([ROOT, IT_CA]) };
    for (let i = 0; i < good.byteLength; i++) {
      const mutated = Uint8Array.from(good);
      mutated[i] ^= 0x02;
      const result = await verifyEvidence(mutated, options);
      assert.equal(result.verified, false, `byte ${i}`);
    }
    for (let length = 0; length < good.byteLength; length += 29) {
      assert.equal(failedCheck(await verifyEvidence(good.subarray(0, length), options)), 'token.parse');
    }
  });
});

describe('virtCCA verifier: a synthetic token with a platform token', () => {
  const root = issueCertificate({ name: 'CN=Test Equipment CA, O=Huawei', ca: true });
  const aik = issueCertificate({ name: 'CN=TEST-AIK, O=Huawei', issuer: root, ca: false });
  const cvm = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const cvmKey = rawPoint(cvm.publicKey); // 133 bytes, as virtCCA carries EC keys
  const keys = { cpak: { privateKey: aik.privateKey, publicKey: aik.publicKey }, rak: cvm };
  const build = (o: Parameters<typeof buildToken>[1] = {}) => buildToken(keys, { doubleWrapRealm: true, realmAlg: -36, ...o });
  const options: VerifyOptions = { format: 'virtcca', collateral: [{ role: 'aikCert', data: aik.der }], trustAnchors: [{ kind: 'x509', der: root.der }] };

  it('verifies the platform token with the AIK and its binding of the CVM key, appraised affirming', async () => {
    assert.equal(cvmKey.byteLength, 133);
    const result = await verifyEvidence(build(), options);
    assert.equal(result.verified, true, JSON.stringify(result.failure));
    assert.equal(result.appraisal.status, 'affirming');
    assert.ok(result.checks.some((c) => c.check === 'platform.cvm-binding' && c.ok));
    assert.equal((await verifyEvidence(build(), { ...options, format: undefined })).format, 'virtcca');
  });

  it('names a broken binding and a platform token not signed by the AIK', async () => {
    const other = createHash('sha256').update('another key').digest();
    assert.equal(failedCheck(await verifyEvidence(build({ platformChallenge: new Uint8Array(other) }), options)), 'platform.cvm-binding');
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal(failedCheck(await verifyEvidence(build({ platformSigner: stranger.privateKey }), options)), 'platform.signature');
    assert.equal(failedCheck(await verifyEvidence(build({ realmSigner: stranger.privateKey, realmAlg: -35 }), options)), 'cvm.signature');
  });

  it('uses the AIK whose key signs the platform token among several device certificates', async () => {
    const otherAik = issueCertificate({ name: 'CN=OTHER-AIK, O=Huawei', issuer: root, ca: false });
    const collateral = [{ role: 'aikCert', data: otherAik.der }, { role: 'aikCert', data: aik.der }];
    const result = await verifyEvidence(build(), { ...options, collateral });
    assert.equal(result.verified, true, JSON.stringify(result.failure));
    assert.match(result.checks.find((c) => c.check === 'aik.present')?.detail ?? '', /TEST-AIK/);
  });
});
