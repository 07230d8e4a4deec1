import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { toHex } from '../../../../src/common/bytes.js';
import { verifyEvidence } from '../../../../src/attest/index.js';
import { parseNitroDocument } from '../../../../src/attest/verifiers/nitro/index.js';
import type { VerifyOptions } from '../../../../src/attest/types.js';
import { issueCertificate } from '../../../support/synthetic-pki.js';
import { readVector } from '../../../support/paths.js';
import { expectations, manifestEntries, optionsFor } from '../manifest.js';
import { FIXTURE_TIME, nitroFixture } from './nitro-fixture.js';
import { assertParsesOrRejects, nearValidBytes } from '../../parser-properties.js';
import { failedCheck } from '../failed-check.js';

const YAWN = 'aws-nitro/yawn-nitro-attest/tests/fixtures/attestation.cose';
const YAWN_TIME = new Date('2025-01-06T16:07:05Z');

describe('Nitro verifier: real documents', () => {
  for (const entry of manifestEntries('nitro')) {
    for (const { at, verified } of expectations(entry)) {
      it(`${entry.id} at ${at} → ${verified ? 'verified' : 'rejected'}`, async () => {
        const result = await verifyEvidence(readVector(entry.evidence), optionsFor(entry, at));
        assert.equal(result.verified, verified, JSON.stringify(result.failure));
        if (!verified) assert.equal(result.failure?.check, 'nitro.chain'); // the ~3 h leaf certificate has expired
      });
    }
  }

  it('reports the claims of the yawn document as its source test does', async () => {
    const result = await verifyEvidence(readVector(YAWN), { now: YAWN_TIME });
    assert.equal(result.format, 'nitro');
    assert.equal(result.verified, true);
    assert.equal(result.appraisal.status, 'affirming');
    assert.equal(result.rawClaims.module_id, 'i-0bee92034f3d60691-enc01943c5eaab3ad6a');
    assert.equal(result.rawClaims.timestamp, 1736179625472);
    assert.equal((result.rawClaims.public_key as Uint8Array).byteLength, 294);
    assert.equal(result.rawClaims.user_data, null);
    assert.equal(result.rawClaims.nonce, null);
    const c = result.claims!;
    assert.equal(c.tee, 'nitro');
    assert.equal(c.debug, false);
    assert.equal(toHex(c.measurement!), '8bb159f202bb95d6d4d98e0e103918246cea734f1d57cd263e4fd56075ed53f6fa8c68854817a32749a241e11874c26b');
    assert.equal(Object.keys(c.measurements).length, 16);
    assert.equal(c.tcbStatus, null);
    assert.equal(c.signer, null); // PCR8 is zero: the image is not signed
  });

  it('marks debug documents (PCR0-2 zero) with a warning that a strict policy turns into a rejection', async () => {
    const options = { now: new Date('2023-03-22T14:28:27.405Z') };
    const result = await verifyEvidence(readVector('aws-nitro/blindai/nitro_attestation_document_valid.cbor'), options);
    assert.equal(result.verified, true);
    assert.equal(result.claims?.debug, true);
    assert.equal(result.appraisal.status, 'warning');
    assert.equal(new TextDecoder().decode(result.claims!.reportData!), 'hello, world!');
    const strict = await verifyEvidence(readVector('aws-nitro/blindai/nitro_attestation_document_valid.cbor'), { ...options, policy: {} });
    assert.equal(strict.appraisal.status, 'contraindicated');
  });

  it('checks the expected nonce', async () => {
    const path = 'aws-nitro/evervault/test-data/beta/valid-attestation-doc-bytes';
    const now = new Date('2022-10-13T08:58:02.136Z');
    const doc = parseNitroDocument(readVector(path));
    assert.equal(doc.nonce?.byteLength, 256);
    assert.equal((await verifyEvidence(readVector(path), { now, nonce: doc.nonce! })).verified, true);
    const other = Uint8Array.from(doc.nonce!);
    other[0] ^= 1;
    assert.equal(failedCheck(await verifyEvidence(readVector(path), { now, nonce: other })), 'nonce');
    assert.equal(failedCheck(await verifyEvidence(readVector(YAWN), { now: YAWN_TIME, nonce: other })), 'nonce');
    // the document's own nonce field is compared once, by verifyEvidence
    const stale = await verifyEvidence(readVector(path), { now, nonce: other });
    assert.deepEqual(stale.checks.filter((c) => c.check.startsWith('nonce')).map((c) => `${c.check}:${c.ok}`), ['nonce:false']);
  });

  it('uses the built-in AWS Nitro Root G1, and nothing when told to replace it with nothing', async () => {
    assert.equal((await verifyEvidence(readVector(YAWN), { now: YAWN_TIME })).verified, true);
    const replaced = await verifyEvidence(readVector(YAWN), { now: YAWN_TIME, replaceBuiltInAnchors: true });
    assert.equal(failedCheck(replaced), 'nitro.chain');
    assert.match(replaced.failure!.message, /does not end at a trusted root/);
  });

  it('fails before the leaf certificate is valid, too', async () => {
    assert.equal(failedCheck(await verifyEvidence(readVector(YAWN), { now: new Date('2025-01-06T16:00:00Z') })), 'nitro.chain');
  });

  it('rejects single-byte changes across the document and every truncation, never throwing', async () => {
    const good = readVector(YAWN);
    const options: VerifyOptions = { format: 'nitro', now: YAWN_TIME };
    // every byte outside the embedded certificates; inside them every 5th (each change there means a fresh X.509 parse)
    const doc = parseNitroDocument(good);
    const spans = [doc.certificate, ...doc.cabundle].map((c) => {
      const start = Buffer.from(good).indexOf(Buffer.from(c));
      return [start, start + c.byteLength] as const;
    });
    const inCertificate = (i: number) => spans.some(([a, b]) => i >= a && i < b);
    for (let i = 0; i < good.byteLength; i += inCertificate(i) ? 5 : 1) {
      const mutated = Uint8Array.from(good);
      mutated[i] ^= 0x40;
      const result = await verifyEvidence(mutated, options);
      assert.equal(result.verified, false, `byte ${i}`);
      assert.ok(result.failure?.message, `byte ${i} names a reason`);
    }
    for (let length = 0; length < good.byteLength; length += 97) {
      assert.equal(failedCheck(await verifyEvidence(good.subarray(0, length), options)), 'document.parse');
    }
  });
});

describe('Nitro verifier: synthetic documents under a test PKI', () => {
  const f = nitroFixture();
  const trusted: VerifyOptions = { format: 'nitro', now: FIXTURE_TIME, trustAnchors: [{ kind: 'x509', der: f.root.der }] };

  it('is trusted only with its test root passed explicitly', async () => {
    assert.equal((await verifyEvidence(f.document(), trusted)).verified, true);
    assert.equal((await verifyEvidence(f.document({}, { tagged: true }), trusted)).verified, true);
    assert.equal(failedCheck(await verifyEvidence(f.document(), { ...trusted, trustAnchors: [] })), 'nitro.chain');
  });

  it('rejects a bundle whose root only imitates the anchor', async () => {
    const fake = issueCertificate({ name: 'CN=aws.nitro-enclaves, O=secGear test', ca: true });
    const leaf = issueCertificate({ name: 'CN=i-test-enclave, O=secGear test', issuer: fake, notBefore: new Date('2029-12-31T00:00:00Z') });
    const doc = f.document({ certificate: leaf.der, cabundle: [fake.der] }, { key: leaf.privateKey });
    assert.equal(failedCheck(await verifyEvidence(doc, trusted)), 'nitro.chain');
  });

  it('names the failed check for the wrong algorithm, the wrong key and an inconsistent timestamp', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.equal(failedCheck(await verifyEvidence(f.document({}, { alg: -7, key: p256.privateKey }), trusted)), 'cose.algorithm');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal(failedCheck(await verifyEvidence(f.document({}, { key: other.privateKey }), trusted)), 'cose.signature');
    assert.equal(failedCheck(await verifyEvidence(f.document({ timestamp: FIXTURE_TIME.getTime() - 86_400_000 }), trusted)), 'document.timestamp');
  });

  it('rejects malformed documents with the reason', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ module_id: undefined }, /module_id is missing/],
      [{ module_id: '' }, /module_id is missing or empty/],
      [{ digest: 'SHA256' }, /digest is "SHA256"/],
      [{ timestamp: -1 }, /timestamp/],
      [{ pcrs: new Map() }, /pcrs must map 1 to 32/],
      [{ pcrs: new Map([[32, new Uint8Array(48)]]) }, /PCR index 32 is out of range/],
      [{ pcrs: new Map([[0, new Uint8Array(47)]]) }, /PCR0 is not 32, 48 or 64 bytes/],
      [{ certificate: new Uint8Array(0) }, /certificate is 0 bytes/],
      [{ cabundle: [] }, /cabundle must hold at least the root/],
      [{ cabundle: [new Uint8Array(1025)] }, /cabundle\[0\] is 1025 bytes/],
      [{ user_data: 'text' }, /user_data is not a byte string/],
      [{ nonce: new Uint8Array(1025) }, /nonce is 1025 bytes/],
    ];
    for (const [fields, message] of cases) {
      const result = await verifyEvidence(f.document(fields as never), trusted);
      assert.equal(failedCheck(result), 'document.parse');
      assert.match(result.failure!.message, message);
    }
  });

  it('property: the document parser accepts or rejects with CC_ERROR_INVALID_EVIDENCE, never throwing otherwise', () => {
    const good = f.document();
    assertParsesOrRejects(parseNitroDocument, nearValidBytes(good, { maxLength: 300, maxEdits: 4 }), { seed: 6, numRuns: 2000 });
  });
});
