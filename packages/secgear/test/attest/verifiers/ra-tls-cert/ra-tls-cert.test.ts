import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bytesEqual, toHex } from '../../../../src/common/bytes.js';
import { verifyEvidence } from '../../../../src/attest/index.js';
import { checkBinding, extractRaTlsEvidence, parseTaggedEvidence, RA_TLS_OIDS } from '../../../../src/attest/verifiers/ra-tls-cert/index.js';
import type { VerifyOptions } from '../../../../src/attest/types.js';
import { readVector, vectorPath } from '../../../support/paths.js';
import { der, issueCertificate } from '../../../support/synthetic-pki.js';
import { expectations, manifestEntries, optionsFor } from '../manifest.js';
import { assertParsesOrRejects, nearValidBytes } from '../../parser-properties.js';
import { failedCheck } from '../failed-check.js';

const IRT = 'ra-tls/interoperable-ra-tls';
const CAGES = 'ra-tls/evervault-cages/test-data/beta';
const GRAMINE = `${IRT}/gramine-cert.pem`;
const SGXSDK = `${IRT}/intel-sgxsdk-cert.pem`;
const RATSTLS = `${IRT}/rats-tls-cert.pem`;
const CAGE_DEBUG = `${CAGES}/debug-mode-cert-containing-attestation-doc-18-1-23.pem`;
const CAGE_TIME = new Date('2023-01-18T15:15:14Z');
const SGX_TIME = new Date('2024-01-01T00:00:00Z');
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** The report data of an SGX v3 quote (header 48 bytes, report body offset 320). */
const sgxReportData = (quote: Uint8Array) => quote.subarray(48 + 320, 48 + 384);

describe('ra-tls-cert: published certificates', () => {
  for (const entry of manifestEntries('ra-tls-cert')) {
    for (const { at, verified } of expectations(entry)) {
      it(`${entry.id} at ${at} → ${verified ? 'verified' : 'rejected'}`, async () => {
        const result = await verifyEvidence(readVector(entry.evidence), optionsFor(entry, at));
        assert.equal(result.verified, verified, JSON.stringify(result.failure));
        if (verified) {
          const bindings = result.checks.filter((c) => c.check.endsWith('.binding'));
          assert.ok(bindings.length > 0 && bindings.every((c) => c.ok), 'every piece of evidence binds the certificate key');
        }
      });
    }
  }

  it('extracts the evidence the vectors hold, byte for byte', () => {
    const gramine = extractRaTlsEvidence(readVector(GRAMINE));
    assert.deepEqual(gramine.evidence.map((e) => `${e.source}:${e.format}`), ['gramine-legacy:sgx-dcap', 'tcg-dice:sgx-dcap']);
    assert.ok(bytesEqual(gramine.evidence[0].data, readVector(`${IRT}/gramine-cert.legacy-oid.quote.bin`)));
    assert.ok(bytesEqual(gramine.evidence[1].data, readVector(`${IRT}/gramine-cert.tcg-evidence.quote.bin`)));
    const sdk = extractRaTlsEvidence(readVector(SGXSDK));
    assert.deepEqual(sdk.evidence.map((e) => e.source), ['sgx-sdk', 'tcg-dice']);
    assert.ok(bytesEqual(sdk.evidence[1].data, readVector(`${IRT}/intel-sgxsdk-cert.tcg-evidence.quote.bin`)));
    assert.ok(bytesEqual(sdk.evidence[0].data, sdk.evidence[1].data));
    const rats = extractRaTlsEvidence(readVector(RATSTLS));
    assert.ok(bytesEqual(rats.evidence[0].data, readVector(`${IRT}/rats-tls-cert.tcg-evidence.quote.bin`)));
    const cage = extractRaTlsEvidence(readVector(CAGE_DEBUG));
    assert.equal(cage.bundle.length, 1);
    assert.ok(bytesEqual(cage.evidence[0].data, readVector(`${CAGES}/debug-mode-cert-containing-attestation-doc-18-1-23.extracted-attestation-doc.cbor`)));
  });

  it('reads TCG tagged evidence: tag 60000, claims bytes, pubkey-hash', () => {
    const rats = extractRaTlsEvidence(readVector(RATSTLS));
    const tagged = rats.evidence[0].tagged!;
    assert.equal(tagged.tag, 60000);
    assert.deepEqual(tagged.pubkeyHash, { algorithm: 1, hash: sha256(rats.spki) });
    assert.deepEqual([...tagged.claims!.keys()], ['pubkey-hash', 'key_0', 'key_1']);
    assert.ok(bytesEqual(sgxReportData(tagged.evidence).subarray(0, 32), sha256(tagged.claimsBytes!)));
  });

  it('binds each quote to the certificate key the way its producer did', () => {
    const gramine = extractRaTlsEvidence(readVector(GRAMINE));
    const claimsOf = (quote: Uint8Array) => ({ reportData: sgxReportData(quote) }) as never;
    const legacy = checkBinding(gramine.evidence[0], claimsOf(gramine.evidence[0].data), {}, gramine.spki, gramine.evidence);
    assert.deepEqual(legacy, { failure: null, how: 'report data is the sha256 of the certificate key' });
    const tcg = checkBinding(gramine.evidence[1], claimsOf(gramine.evidence[1].data), {}, gramine.spki, gramine.evidence);
    assert.equal(tcg.failure, null);
    assert.match(tcg.how, /claims whose pubkey-hash/);
    // the same evidence does not bind another key
    const other = issueCertificate({ name: 'CN=other' });
    const spki = extractRaTlsEvidence(other.der).spki;
    assert.match(checkBinding(gramine.evidence[0], claimsOf(gramine.evidence[0].data), {}, spki, gramine.evidence).failure ?? '', /neither a hash of the certificate key/);
    assert.match(checkBinding(gramine.evidence[1], claimsOf(gramine.evidence[1].data), {}, spki, gramine.evidence).failure ?? '', /pubkey-hash claim is not the hash/);
  });

  it('matches the Evervault PCR specs (correct PCRs match, incorrect ones do not)', async () => {
    const dir = 'aws-nitro/evervault/test-specs/beta';
    for (const name of readdirSync(vectorPath(dir))) {
      const spec = JSON.parse(readFileSync(vectorPath(`${dir}/${name}`), 'utf8')) as { file: string; pcrs: Record<string, string>; isAttestationDocValid: boolean; shouldPcrsMatch: boolean };
      const result = await verifyEvidence(readVector(`ra-tls/evervault-cages/${spec.file}`), { now: CAGE_TIME });
      assert.equal(result.verified, spec.isAttestationDocValid, name);
      const match = Object.entries(spec.pcrs).every(([k, v]) => toHex(result.claims!.measurements[k.toUpperCase()]) === v);
      assert.equal(match, spec.shouldPcrsMatch, name);
    }
  });

  it('binds the Evervault GA document to its TLS certificate (user_data = the certificate key)', async () => {
    const doc = readVector('aws-nitro/evervault/test-data/valid-attestation-doc-base64.decoded.cbor');
    const result = await verifyEvidence(doc, { now: new Date('2023-09-18T15:16:05Z') });
    assert.equal(result.verified, true);
    const cert = extractRaTlsEvidence(readVector('aws-nitro/evervault/test-data/valid-certificate.der'));
    const item = { source: 'nitro-san', format: 'nitro', data: doc, tagged: null, challenge: null } as const;
    assert.deepEqual(checkBinding(item, result.claims, result.rawClaims, cert.spki, []), { failure: null, how: 'the document user_data is the certificate key' });
  });
});

describe('ra-tls-cert: certificates made for the test', () => {
  const gramine = extractRaTlsEvidence(readVector(GRAMINE));
  const sgx: VerifyOptions = { format: 'ra-tls-cert', now: SGX_TIME };

  it('rejects genuine evidence placed in a certificate with another key', async () => {
    const legacyOnly = issueCertificate({ name: 'CN=impostor', extensions: [{ oid: RA_TLS_OIDS.gramineLegacy, value: gramine.evidence[0].data }] });
    const r1 = await verifyEvidence(legacyOnly.der, sgx);
    assert.equal(failedCheck(r1), 'gramine-legacy.binding');
    assert.ok(r1.checks.some((c) => c.check === 'gramine-legacy.quote.signature' && c.ok), 'the quote itself still verifies');
    const tagged = gramine.evidence[1].tagged!;
    const wrapped = new Uint8Array([0xd9, 0xea, 0x60, 0x82, 0x59, tagged.evidence.byteLength >> 8, tagged.evidence.byteLength & 0xff, ...tagged.evidence, 0x58, tagged.claimsBytes!.byteLength, ...tagged.claimsBytes!]);
    assert.deepEqual(parseTaggedEvidence(wrapped).claimsBytes, tagged.claimsBytes);
    const tcgOnly = issueCertificate({ name: 'CN=impostor', extensions: [{ oid: RA_TLS_OIDS.tcgTaggedEvidence, value: wrapped }] });
    const r2 = await verifyEvidence(tcgOnly.der, sgx);
    assert.equal(failedCheck(r2), 'tcg-dice.binding');
    assert.match(r2.failure!.message, /pubkey-hash claim is not the hash of the certificate key/);
  });

  it('rejects a Nitro document carried in a certificate with another key', async () => {
    const doc = readVector(`${CAGES}/debug-mode-cert-containing-attestation-doc-18-1-23.extracted-attestation-doc.cbor`);
    const san = der.sequence(der.tlv(0x82, new TextEncoder().encode('cage.example')), der.tlv(0x82, new TextEncoder().encode(`${toHex(doc)}.cage.example`)));
    const cert = issueCertificate({ name: 'CN=cage.example', keySpec: { type: 'ec', curve: 'P-256' }, notBefore: new Date('2023-01-01T00:00:00Z'), extensions: [{ oid: RA_TLS_OIDS.subjectAltName, value: san }] });
    const result = await verifyEvidence(cert.der, { now: CAGE_TIME });
    assert.equal(result.format, 'ra-tls-cert');
    assert.equal(failedCheck(result), 'nitro-san.binding');
    assert.ok(result.checks.some((c) => c.check === 'nitro-san.cose.signature' && c.ok));
  });

  it('refuses to claim freshness it cannot show: a nonce asked of a key-bound SGX certificate fails', async () => {
    const result = await verifyEvidence(readVector(RATSTLS), { ...sgx, nonce: new Uint8Array(32).fill(1) });
    assert.equal(failedCheck(result), 'nonce.binding');
  });

  it('rejects a certificate without evidence, and one whose own signature is broken', async () => {
    const plain = issueCertificate({ name: 'CN=plain' });
    assert.equal(failedCheck(await verifyEvidence(plain.der, sgx)), 'evidence.extract');
    const good = readVector(RATSTLS);
    const ders = extractRaTlsEvidence(good);
    const tampered = Uint8Array.from(ders.der);
    tampered[60] ^= 0x01; // inside the subject name, outside the evidence
    assert.equal(failedCheck(await verifyEvidence(tampered, sgx)), 'certificate.signature');
  });

  it('rejects single-byte changes across the certificate and every truncation, never throwing', async () => {
    const good = extractRaTlsEvidence(readVector(RATSTLS)).der;
    // every byte outside the embedded quote; inside it every 16th (the SGX verifier's own tests flip every quote byte)
    const quote = readVector(`${IRT}/rats-tls-cert.tcg-evidence.quote.bin`);
    const quoteStart = Buffer.from(good).indexOf(Buffer.from(quote));
    assert.ok(quoteStart > 0);
    const inQuote = (i: number) => i >= quoteStart && i < quoteStart + quote.byteLength;
    for (let i = 0; i < good.byteLength; i += inQuote(i) ? 16 : 1) {
      const mutated = Uint8Array.from(good);
      mutated[i] ^= 0x10;
      const result = await verifyEvidence(mutated, sgx);
      assert.equal(result.verified, false, `byte ${i}`);
      assert.ok(result.failure?.message, `byte ${i}`);
    }
    for (let length = 0; length < good.byteLength; length += 101) {
      assert.equal(failedCheck(await verifyEvidence(good.subarray(0, length), sgx)), 'certificate.parse');
    }
  });

  it('property: extraction accepts or rejects with CC_ERROR_INVALID_EVIDENCE', () => {
    const good = extractRaTlsEvidence(readVector(RATSTLS)).der;
    assertParsesOrRejects(extractRaTlsEvidence, nearValidBytes(good, { maxLength: 300, maxEdits: 3 }), { seed: 8, numRuns: 1500 });
  });
});
