import { ErrorCode, SecGearError } from '../../common/errors.js';
import { decodeOid, derChildren, derElement, derValue, readDer } from './der.js';

/**
 * Reads the extensions, the SubjectPublicKeyInfo and the subjectAltName DNS names of a DER
 * certificate in one pass over its structure. Throws CC_ERROR_INVALID_EVIDENCE (from the DER
 * reader) when the structure is malformed.
 */
export interface CertificateExtension {
  /** Dotted OID as encoded (a mis-encoded OID shows as what its bytes say). */
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING contents. */
  value: Uint8Array;
}

export interface CertificateParts {
  /** The DER SubjectPublicKeyInfo element, exactly as in the certificate. */
  spki: Uint8Array;
  extensions: CertificateExtension[];
}

export function certificateParts(certificateDer: Uint8Array): CertificateParts {
  const cert = readDer(certificateDer);
  if (cert.tag !== 0x30 || cert.end !== certificateDer.byteLength) throw readDerError('certificate is not one DER SEQUENCE');
  const [tbs] = derChildren(cert);
  if (!tbs || tbs.tag !== 0x30) throw readDerError('certificate has no tbsCertificate');
  const fields = derChildren(tbs);
  // version [0] is optional; then serial, signature, issuer, validity, subject, spki
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const spkiNode = fields[base + 5];
  if (!spkiNode || spkiNode.tag !== 0x30) throw readDerError('certificate has no SubjectPublicKeyInfo');
  const extensions: CertificateExtension[] = [];
  for (const field of fields.slice(base + 6)) {
    if (field.tag !== 0xa3) continue;
    const [list] = derChildren(field);
    if (!list) continue;
    for (const ext of derChildren(list)) {
      const parts = derChildren(ext);
      if (parts.length < 2 || parts[0].tag !== 0x06 || parts[parts.length - 1].tag !== 0x04) throw readDerError('malformed extension');
      const critical = parts.length === 3 && parts[1].tag === 0x01 && derValue(parts[1])[0] !== 0;
      extensions.push({ oid: decodeOid(derValue(parts[0])), critical, value: derValue(parts[parts.length - 1]) });
    }
  }
  return { spki: derElement(spkiNode), extensions };
}

/** The dNSName entries of a subjectAltName extension value, in order. */
export function subjectAltDnsNames(extensionValue: Uint8Array): string[] {
  const seq = readDer(extensionValue);
  const names: string[] = [];
  for (const name of derChildren(seq)) {
    if (name.tag === 0x82) names.push(Buffer.from(derValue(name)).toString('latin1'));
  }
  return names;
}

function readDerError(message: string): SecGearError {
  return new SecGearError(ErrorCode.INVALID_EVIDENCE, `malformed certificate: ${message}`);
}
