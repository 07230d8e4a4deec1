/**
 * Node's `X509Certificate` reads PEM before DER, and OpenSSL's PEM reader skips whatever comes
 * before a line starting with `-----BEGIN`. DER that merely holds PEM text (an RA-TLS
 * certificate embeds a quote that embeds the PCK chain) would parse as the certificate in that
 * text. These tests pin that every X.509 parse in `attest/` reads the exact DER it was given.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyAnchors, loadTrustAnchors, verifyEvidence } from '../../../src/attest/index.js';
import { certInfo } from '../../../src/attest/intel/cert-chain.js';
import { parseCertificateChainData } from '../../../src/attest/intel/certification-data.js';
import { SGX_EXTENSION_OID } from '../../../src/attest/intel/pck-extension.js';
import { parseQuote } from '../../../src/attest/intel/quote.js';
import { certificatesFrom, parseCertificate } from '../../../src/attest/pki/chain.js';
import { certificateIds } from '../../../src/attest/pki/crl.js';
import { findCertificateExtension } from '../../../src/attest/pki/der.js';
import { certificateParts } from '../../../src/attest/pki/extensions.js';
import { ErrorCode, isSecGearError } from '../../../src/common/errors.js';
import { encodeQuote, makeIntelFixture } from '../../support/intel-fixture.js';
import { readVector } from '../../support/paths.js';
import { der, issueCertificate } from '../../support/synthetic-pki.js';

const GRAMINE = 'ra-tls/interoperable-ra-tls/gramine-cert.pem';

function pem(label: string, body: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('a revoked PCK certificate hidden as PEM inside another DER certificate', () => {
  /**
   * The wrapper has the revoked PCK certificate's names, key and SGX extension, another serial
   * number and a junk signature, and holds the revoked certificate as PEM in an extension. Read
   * as PEM, it would be the (validly signed) revoked certificate, while its serial, read from the
   * DER, is not on the CRL: the quote would verify.
   */
  function wrapRevokedPck() {
    const f = makeIntelFixture({ revokePck: true });
    const quote = parseQuote(f.quote);
    const [pck, ca, root] = parseCertificateChainData(quote.certification.data);
    const ids = certificateIds(pck);
    const tbs = der.sequence(
      der.context(0, der.integer(2)),
      der.integer(0x0d0e0f),
      der.sequence(der.oid('1.2.840.10045.4.3.2')),
      ids.issuer,
      der.sequence(der.time(new Date(f.now.getTime() - 86_400_000)), der.time(new Date(f.now.getTime() + 86_400_000))),
      ids.subject,
      certificateParts(pck).spki,
      der.context(
        3,
        der.sequence(
          der.sequence(der.oid(SGX_EXTENSION_OID), der.octets(findCertificateExtension(pck, SGX_EXTENSION_OID)!)),
          der.sequence(der.oid('1.3.6.1.4.1.99999.2'), der.octets(text(`\n${pem('CERTIFICATE', pck)}`))),
        ),
      ),
    );
    const wrapper = der.sequence(tbs, der.sequence(der.oid('1.2.840.10045.4.3.2')), der.bitString(der.sequence(der.integer(1), der.integer(1))));
    const rebuilt = (certData: Uint8Array) =>
      encodeQuote({
        version: quote.header.version as 3 | 4 | 5,
        tee: 'sgx',
        body: quote.signedData.subarray(48),
        signature: quote.signature,
        attestationKey: quote.attestationKey,
        qeReport: quote.qeReport.raw,
        qeReportSignature: quote.qeReportSignature,
        qeAuthData: quote.qeAuthData,
        certType: 5,
        certData,
      });
    const options = { collateral: f.collateral, trustAnchors: [f.anchor], now: f.now };
    return { honest: rebuilt(concat(pck, ca, root)), wrapped: rebuilt(concat(wrapper, ca, root)), options };
  }

  it('is rejected: the wrapper is read as itself, and its own signature does not verify', async () => {
    const { honest, wrapped, options } = wrapRevokedPck();
    // first, in a fresh process: whether Node's own parse falls back to DER depends on stale
    // OpenSSL errors; with none, it read the hidden certificate and this quote verified
    const result = await verifyEvidence(wrapped, options);
    assert.equal(result.verified, false);
    assert.equal(result.failure?.check, 'pck.chain');
    assert.ok(!result.checks.some((c) => c.check === 'qe.reportSignature'), 'nothing is checked with the hidden certificate key');
    // the same quote with the revoked certificate as it is fails on the CRL
    const control = await verifyEvidence(honest, options);
    assert.equal(control.failure?.check, 'pck.revocation');
  });
});

describe('DER certificates that hold PEM text', () => {
  it('the real Gramine RA-TLS certificate parses as itself, not as the PCK CA inside its quote', () => {
    const [raTls] = certificatesFrom(readVector(GRAMINE));
    // the quote in its extension carries the PCK chain as PEM, the CA block at a line start
    assert.ok(Buffer.from(raTls).includes('\n-----BEGIN CERTIFICATE-----'));
    const cert = parseCertificate(raTls);
    assert.deepEqual(new Uint8Array(cert.raw), raTls);
    assert.doesNotMatch(cert.subject, /Intel SGX PCK/);
    assert.deepEqual(certificatesFrom(raTls), [raTls]);
    const info = certInfo(raTls);
    assert.deepEqual(new Uint8Array(info.x509.raw), raTls);
    assert.equal(info.subject, cert.subject.replace(/\n/g, ', '));
  });

  it('loaded as an anchor file, the DER RA-TLS certificate is one X.509 anchor of exactly its bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-embedded-pem-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const [raTls] = certificatesFrom(readVector(GRAMINE));
    const file = join(dir, 'ra-tls.der');
    writeFileSync(file, raTls);
    const { anchors } = await loadTrustAnchors([file]);
    assert.equal(anchors.length, 1);
    assert.equal(anchors[0].kind, 'x509');
    assert.deepEqual(anchors[0].kind === 'x509' && anchors[0].der, raTls);
  });

  it('binary that is no certificate but holds one as PEM after a newline is not an anchor', async () => {
    const root = makeIntelFixture().rootDer;
    const junk = concat(new Uint8Array(100).fill(0xee), text(`\n${pem('CERTIFICATE', root)}`));
    assert.equal(classifyAnchors(junk), null);
    const dir = mkdtempSync(join(tmpdir(), 'secgear-embedded-pem-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'junk.bin');
    writeFileSync(file, junk);
    await assert.rejects(loadTrustAnchors([file]), (e: unknown) => isSecGearError(e, ErrorCode.BAD_PARAMETERS));
    assert.throws(() => parseCertificate(junk), (e: unknown) => isSecGearError(e, ErrorCode.INVALID_EVIDENCE));
  });

  it('a DER certificate holding a PEM public key is an X.509 anchor, not that key', () => {
    const hidden = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const hiddenPem = pem('PUBLIC KEY', new Uint8Array(hidden.export({ type: 'spki', format: 'der' })));
    const outer = issueCertificate({ name: 'CN=Outer Root, O=Test', ca: true, extensions: [{ oid: '1.3.6.1.4.1.99999.1', value: text(`\n${hiddenPem}`) }] });
    const anchors = classifyAnchors(outer.der);
    assert.ok(anchors);
    assert.equal(anchors.length, 1);
    assert.equal(anchors[0].kind, 'x509');
    assert.deepEqual(anchors[0].kind === 'x509' && anchors[0].der, outer.der);
    // the PEM alone is still a key anchor
    const alone = classifyAnchors(text(hiddenPem));
    assert.equal(alone?.[0].kind, 'jwk');
    assert.equal(alone?.[0].kind === 'jwk' && createPublicKey({ key: alone[0].jwk, format: 'jwk' }).equals(hidden), true);
  });
});
