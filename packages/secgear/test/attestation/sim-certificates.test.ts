// The simulated attestation PKI and the DER writer behind it.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { derOid, derSmallInteger, derTime, derTlv, derUnsignedInteger } from '../../src/common/der-writer.js';
import { SIM_ORGANIZATION, createSimCertificates } from '../../src/backends/sim-platform/sim-certificates.js';
import { verifyCertificateChain } from '../../src/attest/pki/chain.js';
import { toHex } from '../../src/common/bytes.js';

describe('DER writer', () => {
  it('encodes lengths, integers, OIDs and times as X.690 says', () => {
    assert.equal(toHex(derTlv(0x04, new Uint8Array(127))).slice(0, 4), '047f');
    assert.equal(toHex(derTlv(0x04, new Uint8Array(128))).slice(0, 6), '048180');
    assert.equal(toHex(derTlv(0x04, new Uint8Array(300))).slice(0, 8), '0482012c');
    assert.equal(toHex(derUnsignedInteger(Uint8Array.of(0, 0, 0x80))), '02020080');
    assert.equal(toHex(derUnsignedInteger(Uint8Array.of(0x7f))), '02017f');
    assert.equal(toHex(derSmallInteger(0)), '020100');
    assert.equal(toHex(derOid('1.2.840.10045.4.3.3')), '06082a8648ce3d040303');
    assert.equal(Buffer.from(derTime(new Date('2049-12-31T23:59:59Z')).subarray(2)).toString(), '491231235959Z');
    assert.equal(derTime(new Date('2049-12-31T23:59:59Z'))[0], 0x17);
    assert.equal(Buffer.from(derTime(new Date('2050-01-01T00:00:00Z')).subarray(2)).toString(), '20500101000000Z');
    assert.equal(derTime(new Date('2050-01-01T00:00:00Z'))[0], 0x18);
  });
});

describe('simulated attestation PKI', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  const pki = createSimCertificates(now);
  const root = new X509Certificate(pki.rootCertificate);
  const ak = new X509Certificate(pki.attestationCertificate);

  it('is a self-signed P-384 root over a non-CA attestation key, both marked as simulation', () => {
    assert.ok(root.ca);
    assert.ok(root.verify(root.publicKey));
    assert.ok(!ak.ca);
    assert.ok(ak.checkIssued(root) && ak.verify(root.publicKey));
    assert.equal(ak.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    for (const cert of [root, ak]) assert.ok(cert.subject.split('\n').includes(`O=${SIM_ORGANIZATION}`));
    assert.equal(pki.attestationKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
  });

  it('is valid from a day before creation for 30 years, and no longer', () => {
    const chain = (at: Date) => verifyCertificateChain([pki.attestationCertificate], { name: 'ak', now: at, anchors: [pki.rootCertificate] }).ok;
    assert.ok(chain(now));
    assert.ok(chain(new Date('2030-05-31T01:00:00Z')));
    assert.ok(!chain(new Date('2030-05-30T00:00:00Z')));
    assert.ok(chain(new Date('2060-05-01T00:00:00Z')));
    assert.ok(!chain(new Date('2060-06-01T00:00:00Z')));
  });

  it('gives every machine its own root', () => {
    const other = createSimCertificates(now);
    assert.ok(!verifyCertificateChain([pki.attestationCertificate], { name: 'ak', now, anchors: [other.rootCertificate] }).ok);
  });
});
