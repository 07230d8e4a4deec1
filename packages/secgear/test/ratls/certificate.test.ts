// RA-TLS certificates made by createRaTlsCredentials (issueRaTlsCredentials with the enclave's
// evidence), verified by verifyPeer: every key type on the simulated platform, and the same
// certificate format carrying SEV-SNP, TDX, SGX, CCA, virtCCA and Nitro evidence from the test PKIs.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EVIDENCE_MEDIA_TYPES } from '../../src/attest/media-types.js';
import { extractRaTlsEvidence, RA_TLS_OIDS } from '../../src/attest/verifiers/ra-tls-cert/extract.js';
import { parseSecGearExtension } from '../../src/attest/verifiers/ra-tls-cert/secgear-extension.js';
import type { TrustAnchor, VerifyOptions } from '../../src/attest/types.js';
import { loadSimPlatformState, readSimRootCertificate } from '../../src/backends/sim-platform/index.js';
import { bytesEqual } from '../../src/common/bytes.js';
import { certificateParts } from '../../src/attest/pki/extensions.js';
import { createRaTlsCredentials } from '../../src/ratls/enclave/index.js';
import { writeSelfSignedCertificate } from '../../src/ratls/certificate-writer.js';
import { issueRaTlsCredentials, type RaTlsEvidence } from '../../src/ratls/issue-credentials.js';
import { createPeerVerifier, verifyPeer } from '../../src/ratls/verify-peer.js';
import type { RaTlsPolicy } from '../../src/ratls/verify-peer.js';
import { enterEnclave, makeIdentity, tempStateDir } from '../support/sim-platform-harness.js';
import { makeIntelFixture } from '../support/intel-fixture.js';
import { issueCertificate } from '../support/synthetic-pki.js';
import { readVector } from '../support/paths.js';
import { snpFixture } from '../attest/verifiers/sev-snp/snp-fixture.js';
import { buildToken, tokenKeys } from '../attest/verifiers/cca/cca-fixture.js';
import { FIXTURE_TIME, nitroFixture } from '../attest/verifiers/nitro/nitro-fixture.js';

const state = tempStateDir();
const identity = makeIdentity();
let simPolicy: RaTlsPolicy;

before(() => {
  loadSimPlatformState(state.dir);
  enterEnclave(identity, state.dir);
  simPolicy = { allowSimulation: true, trustAnchors: [{ kind: 'x509', der: readSimRootCertificate(state.dir)! }], measurements: [identity.measurement] };
});
after(() => state.cleanup());

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe('RA-TLS certificates on the simulated platform', () => {
  for (const keyType of ['p256', 'p384', 'rsa3072'] as const) {
    it(`${keyType}: a self-signed certificate any X.509 parser reads, whose evidence binds its key`, async () => {
      const creds = await createRaTlsCredentials({ keyType });
      const x509 = new X509Certificate(creds.certificate);
      assert.ok(x509.verify(x509.publicKey), 'self-signed');
      assert.equal(x509.subject, x509.issuer);
      assert.equal(x509.checkHost('localhost'), 'localhost');
      assert.ok(x509.checkPrivateKey(creds.privateKey));
      const exts = certificateParts(creds.certificate).extensions;
      for (const oid of [RA_TLS_OIDS.tcgTaggedEvidence, RA_TLS_OIDS.secGearEvidence]) {
        const ext = exts.find((e) => e.oid === oid);
        assert.ok(ext && !ext.critical, `${oid} present and non-critical`);
      }
      const peer = await verifyPeer(creds.certificatePem, simPolicy);
      assert.equal(peer.tee, 'sim');
      assert.ok(bytesEqual(peer.claims.measurement!, identity.measurement));
      assert.ok(bytesEqual(peer.spki, creds.spki));
    });
  }

  it('writes the TCG claims and secGear\'s challenge so that both name the key', async () => {
    const nonce = new Uint8Array(32).fill(7);
    const creds = await createRaTlsCredentials({ nonce });
    const cert = extractRaTlsEvidence(creds.certificate);
    assert.deepEqual(cert.evidence.map((e) => `${e.source}:${e.format}`), ['tcg-dice:sim', 'secgear-json:sim']);
    const tagged = cert.evidence[0].tagged!;
    assert.equal(tagged.tag, 0x53470001);
    assert.deepEqual(tagged.pubkeyHash, { algorithm: 1, hash: new Uint8Array(createHash('sha256').update(creds.spki).digest()) });
    assert.ok(bytesEqual(tagged.nonce!, nonce));
    const json = parseSecGearExtension(certificateParts(creds.certificate).extensions.find((e) => e.oid === RA_TLS_OIDS.secGearEvidence)!.value);
    assert.ok(bytesEqual(json.challenge.subarray(32), new Uint8Array(createHash('sha256').update(creds.spki).digest())));
    assert.ok(bytesEqual(json.evidence!, creds.evidence.data));
  });

  it('checks freshness through the nonce claim: the right nonce passes, another or none is a replay', async () => {
    const nonce = new Uint8Array(32).fill(9);
    const creds = await createRaTlsCredentials({ nonce });
    await verifyPeer(creds.certificate, { ...simPolicy, nonce });
    await assert.rejects(verifyPeer(creds.certificate, { ...simPolicy, nonce: new Uint8Array(32).fill(8) }), /nonce\.binding/);
    const stale = await createRaTlsCredentials({});
    await assert.rejects(verifyPeer(stale.certificate, { ...simPolicy, nonce }), /nonce\.binding/);
  });

  it('rejects by policy: another measurement, debug, prodId, svn, TEE kind; simulation unless allowed', async () => {
    const creds = await createRaTlsCredentials({});
    await assert.rejects(verifyPeer(creds.certificate, { ...simPolicy, measurements: [new Uint8Array(48)] }), code('CC_ERROR_ATTESTATION_REJECTED'));
    await assert.rejects(verifyPeer(creds.certificate, { ...simPolicy, prodId: identity.prodId + 1 }), /prodId/);
    await assert.rejects(verifyPeer(creds.certificate, { ...simPolicy, minSvn: identity.svn + 1 }), /svn/);
    await assert.rejects(verifyPeer(creds.certificate, { ...simPolicy, tees: ['sgx'] }), /TEE sim/);
    await assert.rejects(verifyPeer(creds.certificate, { ...simPolicy, allowSimulation: false }), (e: Error) => code('CC_ERROR_INVALID_EVIDENCE')(e) && /simulationAllowed/.test(e.message));
    const ok = await verifyPeer(creds.certificate, { ...simPolicy, prodId: identity.prodId, minSvn: identity.svn, tees: ['sim'] });
    assert.equal(ok.status, 'affirming');
  });

  it('rejects a certificate whose evidence binds another key (evidence moved to a new key)', async () => {
    const creds = await createRaTlsCredentials({});
    const thief = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(thief.publicKey.export({ type: 'spki', format: 'der' }));
    const evidenceExts = certificateParts(creds.certificate).extensions.filter((e) => e.oid === RA_TLS_OIDS.tcgTaggedEvidence || e.oid === RA_TLS_OIDS.secGearEvidence);
    const forged = writeSelfSignedCertificate({
      keyType: 'p256',
      privateKey: thief.privateKey,
      spki,
      commonName: 'secGear RA-TLS',
      organization: 'secGear',
      notBefore: creds.notBefore,
      notAfter: creds.notAfter,
      altNames: ['localhost'],
      extensions: evidenceExts.map((e) => ({ ...e, critical: false })),
    });
    await assert.rejects(verifyPeer(forged, simPolicy), /tcg-dice\.binding.*pubkey-hash claim is not the hash/);
  });

  it('a cached verifier appraises a certificate once and still rejects others', async () => {
    const creds = await createRaTlsCredentials({});
    const verify = createPeerVerifier(simPolicy);
    const first = verify(creds.certificate);
    assert.equal(verify(creds.certificate), first);
    await first;
    const other = await createRaTlsCredentials({});
    await assert.rejects(createPeerVerifier({ ...simPolicy, measurements: [new Uint8Array(48)] })(other.certificate), code('CC_ERROR_ATTESTATION_REJECTED'));
  });

  it('refuses bad options with CC_ERROR_BAD_PARAMETERS', async () => {
    for (const options of [{ keyType: 'ed25519' }, { validity: 1 }, { nonce: new Uint8Array(0) }, { altNames: ['bad name'] }, { commonName: '' }]) {
      await assert.rejects(createRaTlsCredentials(options as never), code('CC_ERROR_BAD_PARAMETERS'));
    }
    await assert.rejects(verifyPeer(42 as never), code('CC_ERROR_BAD_PARAMETERS'));
  });
});

/** Issues a certificate whose evidence comes from `make(reportData)`, then verifies it. */
async function roundTrip(format: keyof typeof EVIDENCE_MEDIA_TYPES, make: (reportData: Uint8Array) => Uint8Array | Promise<Uint8Array>, at: Date, verify: VerifyOptions & { trustAnchors: TrustAnchor[] }, tee: string) {
  const provider = async (reportData: Uint8Array): Promise<RaTlsEvidence> => ({ mediaType: EVIDENCE_MEDIA_TYPES[format], data: await make(reportData) });
  const creds = await issueRaTlsCredentials({ keyType: 'p384' }, provider, at.getTime());
  // read after each issue: a fixture may make a new PKI with each piece of evidence
  const policy = (): RaTlsPolicy => ({ now: at, trustAnchors: verify.trustAnchors, collateral: verify.collateral as never, allowDebug: true, acceptTcbStatuses: ['UpToDate', 'OutOfDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDateConfigurationNeeded'] });
  const peer = await verifyPeer(creds.certificate, policy()).catch((e: Error) => assert.fail(`${format}: ${e.message}`));
  assert.equal(peer.tee, tee);
  // the same evidence made for other report data binds no key of this certificate
  const wrong = await issueRaTlsCredentials({ keyType: 'p384' }, async () => provider(new Uint8Array(64).fill(0x42)), at.getTime());
  await assert.rejects(verifyPeer(wrong.certificate, policy()), /binding/);
}

describe('RA-TLS certificates carrying hardware evidence (test PKIs)', () => {
  it('SGX DCAP quote', async () => {
    let fixture = makeIntelFixture();
    await roundTrip('sgx-dcap', (reportData) => (fixture = makeIntelFixture({ report: { reportData } })).quote, fixture.now, {
      get trustAnchors() { return [fixture.anchor]; },
      get collateral() { return fixture.collateral; },
    }, 'sgx');
  });

  it('TDX quote', async () => {
    let fixture = makeIntelFixture({ tee: 'tdx' });
    await roundTrip('tdx', (reportData) => (fixture = makeIntelFixture({ tee: 'tdx', td: { reportData } })).quote, fixture.now, {
      get trustAnchors() { return [fixture.anchor]; },
      get collateral() { return fixture.collateral; },
    }, 'tdx');
  });

  it('SEV-SNP report', async () => {
    let fixture = await snpFixture();
    await roundTrip('sev-snp', async (reportData) => (fixture = await snpFixture({ reportData })).report, new Date('2025-07-01T00:00:00Z'), {
      get trustAnchors() { return [fixture.anchor]; },
      get collateral() { return fixture.collateral; },
    }, 'sev-snp');
  });

  it('Arm CCA token', async () => {
    const keys = tokenKeys();
    const anchor: TrustAnchor = { kind: 'jwk', jwk: keys.cpak.publicKey.export({ format: 'jwk' }) };
    await roundTrip('cca', (reportData) => buildToken(keys, { realm: { 10: reportData } }), new Date('2025-07-01T00:00:00Z'), { trustAnchors: [anchor] }, 'cca');
  });

  it('virtCCA token', async () => {
    const root = issueCertificate({ name: 'CN=Test Equipment CA, O=Huawei', ca: true });
    const aik = issueCertificate({ name: 'CN=TEST-AIK, O=Huawei', issuer: root, ca: false });
    const cvm = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const keys = { cpak: { privateKey: aik.privateKey, publicKey: aik.publicKey }, rak: cvm };
    await roundTrip('virtcca', (reportData) => buildToken(keys, { doubleWrapRealm: true, realmAlg: -36, realm: { 10: reportData } }), new Date('2025-07-01T00:00:00Z'), {
      trustAnchors: [{ kind: 'x509', der: root.der }],
      collateral: [{ role: 'aikCert', data: aik.der }],
    }, 'virtcca');
  });

  it('AWS Nitro document', async () => {
    const nitro = nitroFixture();
    await roundTrip('nitro', (reportData) => nitro.document({ user_data: reportData }), FIXTURE_TIME, { trustAnchors: [{ kind: 'x509', der: nitro.root.der }] }, 'nitro');
  });
});

describe('RA-TLS certificates of other frameworks (../shared/vectors/ra-tls)', () => {
  const irt = (name: string) => readVector(`ra-tls/interoperable-ra-tls/${name}`);
  for (const [name, at] of [['gramine-cert.pem', '2024-01-01T00:00:00Z'], ['intel-sgxsdk-cert.pem', '2024-01-01T00:00:00Z'], ['rats-tls-cert.pem', '2023-06-01T00:00:00Z']] as const) {
    it(`${name}: verified, key bound, claims returned; a warning (no collateral, debug) only when accepted`, async () => {
      const policy: RaTlsPolicy = { now: new Date(at), allowDebug: true };
      await assert.rejects(verifyPeer(irt(name), policy), (e: Error) => code('CC_ERROR_ATTESTATION_REJECTED')(e) && /TCB status is unknown/.test(e.message));
      const peer = await verifyPeer(irt(name), { ...policy, acceptWarning: true });
      assert.equal(peer.tee, 'sgx');
      assert.equal(peer.status, 'warning');
      assert.equal(peer.claims.debug, true);
      await assert.rejects(verifyPeer(irt(name), { ...policy, acceptWarning: true, allowDebug: false }), /debug/);
      await assert.rejects(verifyPeer(irt(name), { ...policy, acceptWarning: true, measurements: [new Uint8Array(32)] }), /measurement/);
    });
  }
});
