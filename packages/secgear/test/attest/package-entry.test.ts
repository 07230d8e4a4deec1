/**
 * What tools get from the package entry `secgear/attest` (resolved through package.json
 * `exports`, as a user's import would be): the verifier, the collateral front end and fetchers,
 * the vendor roots and the evidence parsers, used on real vectors.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AMD_CERTIFICATES,
  AWS_NITRO_ROOT_G1,
  CachingFetcher,
  IntelPcsFetcher,
  INTEL_SGX_ROOT_CA_DER,
  decodeTcb,
  extractRaTlsEvidence,
  intelCollateralRequest,
  lifecycleName,
  loadCollateral,
  loadTrustAnchors,
  parseCcaCollection,
  parseCertificateChainData,
  parseNitroDocument,
  parsePckExtension,
  parseQuote,
  parseSnpReport,
  parseTaggedEvidence,
  readEndorsementKeyInfo,
  verifyEvidence,
  type CollateralFetcher,
  type CollateralRequest,
  type FetchFunction,
  type Quote,
  type SnpReport,
  type VerificationResult,
} from 'secgear/attest';
import { readVector, vectorPath } from '../support/paths.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('secgear/attest package entry', () => {
  it('parses an Intel quote, its PCK chain and the PCK certificate extension', () => {
    const quote: Quote = parseQuote(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'));
    assert.equal(quote.header.version, 3);
    assert.equal(quote.body.kind, 'sgx');
    const chain = parseCertificateChainData(quote.certification.data);
    assert.equal(chain.length, 3);
    assert.equal(parsePckExtension(chain[0]).fmspc.byteLength, 6);
    const request = intelCollateralRequest(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'));
    assert.equal(request.kind, 'intel');
    assert.deepEqual(request.fmspc, parsePckExtension(chain[0]).fmspc);
  });

  it('parses SEV-SNP reports and reads a VCEK', () => {
    const report: SnpReport = parseSnpReport(readVector('sev-snp/trustee/snp/test-report.bin'));
    assert.ok(report.version >= 2);
    const tcb = decodeTcb(report.reportedTcbBytes, 'Milan');
    const vcek = readEndorsementKeyInfo(readVector('sev-snp/trustee/snp/test-vcek.der'), 'vcek', 'Milan');
    assert.deepEqual(vcek.tcb, { fmc: null, bootloader: tcb.bootloader, tee: tcb.tee, snp: tcb.snp, microcode: tcb.microcode });
  });

  it('parses Nitro documents, CCA and virtCCA tokens', () => {
    const doc = parseNitroDocument(readVector('aws-nitro/blindai/nitro_attestation_document_valid.cbor'));
    assert.ok(doc.moduleId.length > 0);
    assert.equal(doc.pcrs.get(0)?.byteLength, 48);
    const cca = parseCcaCollection(readVector('arm-cca/secgear/cca-token-01.cbor'));
    assert.ok(cca.platform);
    assert.equal(lifecycleName(cca.platform.claims.lifecycle), 'secured');
    const virtCca = readVector('arm-cca/secgear/virtcca.cbor.decoded.bin');
    assert.equal(parseCcaCollection(virtCca, { requirePlatform: false }).realm.payloadWrapping, 2);
  });

  it('extracts RA-TLS evidence, tagged evidence included, and the quote in it parses', () => {
    const cert = extractRaTlsEvidence(readVector('ra-tls/interoperable-ra-tls/rats-tls-cert.pem'));
    const tcg = cert.evidence.find((e) => e.source === 'tcg-dice');
    assert.ok(tcg?.tagged);
    assert.equal(parseQuote(tcg.data).header.teeType, 0);
    assert.ok(cert.evidence.length > 0);
    assert.throws(() => parseTaggedEvidence(new Uint8Array([0x01])), /TCG tagged evidence/);
  });

  it('exports the built-in vendor roots', () => {
    assert.equal(sha256(INTEL_SGX_ROOT_CA_DER), '44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3');
    assert.equal(sha256(AWS_NITRO_ROOT_G1), '641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b');
    for (const c of AMD_CERTIFICATES) assert.equal(sha256(c.der), c.sha256, `${c.product} ${c.role}`);
  });

  it('loads collateral and anchors from files and verifies with them', async () => {
    const { items } = await loadCollateral([vectorPath('sgx-dcap/dcap-qvl/sgx_quote_collateral.json')]);
    const { anchors } = await loadTrustAnchors([vectorPath('roots/intel-sgx-root-ca/dcap-qvl_TrustedRootCA.der')]);
    const result: VerificationResult = await verifyEvidence(readVector('sgx-dcap/dcap-qvl/sgx_quote.bin'), {
      collateral: items,
      trustAnchors: anchors,
      now: new Date('2025-07-19T10:01:17Z'),
    });
    assert.equal(result.verified, true, result.failure?.message);
    assert.equal(result.claims?.tcbStatus, 'ConfigurationAndSWHardeningNeeded');
  });

  it('takes a fetcher of the caller\'s own behind the caching fetcher', async () => {
    let calls = 0;
    const own: CollateralFetcher = {
      async fetch(request: CollateralRequest) {
        calls++;
        return { items: [{ role: 'tcbInfo', data: new Uint8Array(1), source: request.kind }], expiresAt: null };
      },
    };
    const cached = new CachingFetcher(own, { now: () => new Date('2025-01-01T00:00:00Z') });
    const request: CollateralRequest = { kind: 'amd', product: 'Milan', key: 'vlek' };
    await cached.fetch(request);
    await cached.fetch(request);
    assert.equal(calls, 1);
    const fetch: FetchFunction = async () => ({ ok: false, status: 404, headers: { get: () => null }, arrayBuffer: async () => new ArrayBuffer(0) });
    const pcs = new IntelPcsFetcher({ fetch });
    await assert.rejects(pcs.fetch({ kind: 'intel', tee: 'sgx', fmspc: new Uint8Array(6), pckCa: 'platform' }), /HTTP 404/);
  });
});
