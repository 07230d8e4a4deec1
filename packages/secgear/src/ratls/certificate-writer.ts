/**
 * A self-signed X.509 v3 certificate (RFC 5280) for an RA-TLS key, written with the common DER
 * writer: the subject is the issuer, the key signs its own certificate, and the evidence rides
 * in non-critical extensions so that ordinary TLS stacks still accept the certificate.
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  derBitString,
  derBoolean,
  derContext,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derTlv,
  derUnsignedInteger,
  derUtf8String,
} from '../common/der-writer.js';
import { keyTypeSpec, type RaTlsKeyType } from './key-types.js';

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING contents. */
  value: Uint8Array;
}

export interface CertificateFields {
  keyType: RaTlsKeyType;
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  commonName: string;
  organization: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS names and IP addresses for subjectAltName (hostname checks of ordinary clients). */
  altNames: string[];
  /** Further extensions (the evidence), appended after the standard ones. */
  extensions: RawExtension[];
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

function name(commonName: string, organization: string): Uint8Array {
  const rdn = (oid: string, value: string) => derSet(derSequence(derOid(oid), derUtf8String(value)));
  return derSequence(rdn(OID.organization, organization), rdn(OID.commonName, commonName));
}

function extension(e: RawExtension): Uint8Array {
  return derSequence(derOid(e.oid), ...(e.critical ? [derBoolean(true)] : []), derOctetString(e.value));
}

// enclave code may not import node:net, so addresses are recognised here
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+$/;
const ipVersion = (n: string): 4 | 6 | 0 => (IPV4.test(n) ? 4 : n.includes(':') && IPV6.test(n) && (n.match(/::/g) ?? []).length <= 1 ? 6 : 0);

function ipBytes(address: string): Uint8Array {
  if (ipVersion(address) === 4) return Uint8Array.from(address.split('.').map(Number));
  // IPv6: expand "::" and write eight 16-bit groups
  const [head, tail = ''] = address.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = address.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => new DataView(out.buffer).setUint16(i * 2, parseInt(g, 16)));
  return out;
}

function altNamesValue(altNames: string[]): Uint8Array {
  const entries = altNames.map((n) => (ipVersion(n) ? derTlv(0x87, ipBytes(n)) : derTlv(0x82, new TextEncoder().encode(n))));
  return derSequence(...entries);
}

/** The DER certificate, signed by its own key. */
export function writeSelfSignedCertificate(fields: CertificateFields): Uint8Array {
  const spec = keyTypeSpec(fields.keyType);
  const algorithm = derSequence(derOid(spec.signatureOid), ...(spec.nullParameters ? [derNull()] : []));
  const serial = new Uint8Array(randomBytes(16));
  serial[0] &= 0x7f; // positive, at most 20 octets (RFC 5280 §4.1.2.2)
  serial[0] |= 0x01; // and never zero-led, so the encoding length is fixed
  const keyId = new Uint8Array(createHash('sha256').update(fields.spki).digest()).subarray(0, 20);
  const subject = name(fields.commonName, fields.organization);
  const standard: RawExtension[] = [
    { oid: OID.basicConstraints, critical: true, value: derSequence() },
    // digitalSignature: the key signs TLS handshakes and nothing else
    { oid: OID.keyUsage, critical: true, value: derBitString(Uint8Array.of(0x80), 7) },
    { oid: OID.extKeyUsage, critical: false, value: derSequence(derOid(OID.serverAuth), derOid(OID.clientAuth)) },
    { oid: OID.subjectKeyIdentifier, critical: false, value: derOctetString(keyId) },
  ];
  if (fields.altNames.length > 0) standard.push({ oid: OID.subjectAltName, critical: false, value: altNamesValue(fields.altNames) });
  const tbs = derSequence(
    derContext(0, derSmallInteger(2), true),
    derUnsignedInteger(serial),
    algorithm,
    subject,
    derSequence(derTime(fields.notBefore), derTime(fields.notAfter)),
    subject,
    fields.spki,
    derContext(3, derSequence(...[...standard, ...fields.extensions].map(extension)), true),
  );
  const signature = sign(spec.digest, tbs, fields.privateKey);
  return derSequence(tbs, algorithm, derBitString(new Uint8Array(signature)));
}

/** PEM text of a DER certificate. */
export function certificatePem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}
