import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { toHex } from '../../../../src/common/bytes.js';
import { verifyEvidence } from '../../../../src/attest/index.js';
import { lifecycleName, parseCcaCollection } from '../../../../src/attest/verifiers/cca/index.js';
import type { TrustAnchor, VerifyOptions } from '../../../../src/attest/types.js';
import { readVector } from '../../../support/paths.js';
import { anchorsFrom, expectations, manifestEntries, optionsFor } from '../manifest.js';
import { buildToken, coseKey, rawPoint, tokenKeys } from './cca-fixture.js';
import { issueCertificate } from '../../../support/synthetic-pki.js';
import { assertParsesOrRejects, nearValidBytes } from '../../parser-properties.js';
import { failedCheck } from '../failed-check.js';

const TOKEN_01 = 'arm-cca/secgear/cca-token-01.cbor';
const CPAK = 'arm-cca/secgear/cpak.json';

describe('CCA verifier: published tokens', () => {
  for (const entry of manifestEntries('cca')) {
    for (const { at, verified } of expectations(entry)) {
      it(`${entry.id} → ${verified ? 'verified' : 'rejected'}`, async () => {
        const result = await verifyEvidence(readVector(entry.evidence), optionsFor(entry, at));
        assert.equal(result.verified, verified, JSON.stringify(result.failure));
        if (verified) {
          assert.ok(result.checks.some((c) => c.check === 'realm.rak-binding' && c.ok));
          // these tokens are signed with the published TF-M test CPAK, and the appraisal says so
          assert.equal(result.appraisal.status, 'warning');
          assert.match(result.appraisal.reasons.join('\n'), /public TF-M\/TF-A test CPAK/);
        } else assert.equal(result.failure?.check, 'platform.signature');
      });
    }
  }

  it('reports the token-01 claims', async () => {
    const result = await verifyEvidence(readVector(TOKEN_01), { trustAnchors: anchorsFrom([CPAK]) });
    assert.equal(result.format, 'cca');
    assert.equal(result.verified, true);
    const c = result.claims!;
    assert.equal(toHex(c.nonce!), 'ab'.repeat(64));
    assert.equal(toHex(c.measurement!), '00'.repeat(32));
    assert.deepEqual(Object.keys(c.measurements), ['RIM', 'REM0', 'REM1', 'REM2', 'REM3', 'platform/0/BL', 'platform/1/M1', 'platform/2/M2', 'platform/3/M3']);
    assert.equal(c.debug, false);
    const platform = result.rawClaims.platform as Record<string, unknown>;
    assert.equal(platform.profile, 'http://arm.com/CCA-SSD/1.0.0');
    assert.equal(platform.security_lifecycle, 0x3003);
    assert.equal(platform.security_lifecycle_name, 'secured');
    assert.equal((result.rawClaims.realm as Record<string, unknown>).public_key_hash_algo_id, 'sha-256');
  });

  it('needs the CPAK as a trust anchor; collateral alone is not trusted', async () => {
    const result = await verifyEvidence(readVector(TOKEN_01), { collateral: [{ role: 'cpak', data: readVector(CPAK) }] });
    assert.equal(failedCheck(result), 'platform.cpak');
  });

  it('rejects every single-byte change and every truncation, never throwing', async () => {
    const good = readVector(TOKEN_01);
    const options: VerifyOptions = { format: 'cca', trustAnchors: anchorsFrom([CPAK]) };
    for (let i = 0; i < good.byteLength; i++) {
      const mutated = Uint8Array.from(good);
      mutated[i] ^= 0x08;
      const result = await verifyEvidence(mutated, options);
      assert.equal(result.verified, false, `byte ${i}`);
      assert.ok(result.failure?.message, `byte ${i}`);
    }
    for (let length = 0; length < good.byteLength; length += 23) {
      assert.equal(failedCheck(await verifyEvidence(good.subarray(0, length), options)), 'token.parse');
    }
  });
});

describe('CCA verifier: synthetic tokens', () => {
  const keys = tokenKeys();
  const anchor: TrustAnchor = { kind: 'jwk', jwk: keys.cpak.publicKey.export({ format: 'jwk' }) };
  const options: VerifyOptions = { format: 'cca', trustAnchors: [anchor] };

  it('verifies a token signed by a CPAK the caller trusts, appraised affirming', async () => {
    const result = await verifyEvidence(buildToken(keys), options);
    assert.equal(result.verified, true, JSON.stringify(result.failure));
    assert.equal(result.appraisal.status, 'affirming');
    assert.equal((await verifyEvidence(buildToken(keys), { ...options, format: undefined })).format, 'cca');
  });

  it('verifies a CPAK given as a certificate anchor', async () => {
    const cert = issueCertificate({ name: 'CN=CPAK, O=secGear test', keys: keys.cpak });
    assert.equal((await verifyEvidence(buildToken(keys), { format: 'cca', trustAnchors: [{ kind: 'x509', der: cert.der }] })).verified, true);
  });

  it('verifies a RAK carried as a COSE_Key under the newer profile', async () => {
    const token = buildToken(keys, { rakBytes: coseKey(keys.rak.publicKey), platform: { 265: 'tag:arm.com,2023:cca_platform#1.0.0' }, realm: { 265: 'tag:arm.com,2023:realm#1.0.0' } });
    const result = await verifyEvidence(token, options);
    assert.equal(result.verified, true, JSON.stringify(result.failure));
  });

  it('binds the RAK with the named hash algorithm', async () => {
    const rak = rawPoint(keys.rak.publicKey);
    const token = buildToken(keys, { realm: { 44240: 'sha-512' }, platformChallenge: new Uint8Array(createHash('sha512').update(rak).digest()) });
    assert.equal((await verifyEvidence(token, options)).verified, true);
    assert.equal(failedCheck(await verifyEvidence(buildToken(keys, { realm: { 44240: 'md5' } }), options)), 'realm.rak-binding');
  });

  it('names the failed check for a broken binding, a foreign realm key, an untrusted platform key', async () => {
    const unbound = await verifyEvidence(buildToken(keys, { platformChallenge: new Uint8Array(32).fill(9) }), options);
    assert.equal(failedCheck(unbound), 'realm.rak-binding');
    assert.match(unbound.failure!.message, /platform challenge is not the sha-256 hash of the realm attestation key/);
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal(failedCheck(await verifyEvidence(buildToken(keys, { realmSigner: foreign.privateKey }), options)), 'realm.signature');
    assert.equal(failedCheck(await verifyEvidence(buildToken(keys, { platformSigner: foreign.privateKey }), options)), 'platform.signature');
    assert.equal(failedCheck(await verifyEvidence(buildToken(keys, { platform: { 265: 'http://example.com/other' } }), options)), 'platform.profile');
    assert.equal(failedCheck(await verifyEvidence(buildToken(keys, { omitPlatform: true }), options)), 'token.parse');
  });

  it('appraises the security lifecycle', async () => {
    assert.equal(lifecycleName(0x3003), 'secured');
    assert.equal(lifecycleName(0x3100), 'invalid');
    const debug = await verifyEvidence(buildToken(keys, { platform: { 2395: 0x4000 } }), options);
    assert.equal(debug.verified, true);
    assert.equal(debug.claims?.debug, true);
    assert.equal(debug.appraisal.status, 'warning');
    const decommissioned = await verifyEvidence(buildToken(keys, { platform: { 2395: 0x6000 } }), options);
    assert.equal(decommissioned.verified, true);
    assert.equal(decommissioned.appraisal.status, 'contraindicated');
    assert.match(decommissioned.appraisal.reasons[0], /decommissioned/);
  });

  it('rejects missing or ill-typed claims with the reason', async () => {
    const cases: [Parameters<typeof buildToken>[1], RegExp][] = [
      [{ realm: { 10: new Uint8Array(32) } }, /realm challenge \(10\) is 32 bytes/],
      [{ realm: { 44237: undefined } }, /realm public key \(44237\) is missing/],
      [{ realm: { 44239: [new Uint8Array(32)] } }, /array of four/],
      [{ platform: { 2395: 'secured' } }, /lifecycle/],
      [{ platform: { 2399: undefined } }, /software components/],
      [{ platform: { 256: new Uint8Array(32) } }, /instance id \(256\) is 32 bytes/],
    ];
    for (const [tokenOptions, message] of cases) {
      const result = await verifyEvidence(buildToken(keys, tokenOptions), options);
      assert.equal(failedCheck(result), 'token.parse');
      assert.match(result.failure!.message, message);
    }
  });

  it('property: the token parser accepts or rejects with CC_ERROR_INVALID_EVIDENCE', () => {
    const good = buildToken(keys);
    assertParsesOrRejects(parseCcaCollection, nearValidBytes(good, { maxLength: 200, maxEdits: 3 }), { seed: 7, numRuns: 2000 });
  });
});
