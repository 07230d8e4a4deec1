import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import { decodeOid, derChildren, derElement, derValue, readDer, type DerNode } from './der.js';

/** A parsed X.509 CRL (RFC 5280 CertificateList). */
export interface Crl {
  /** DER of the issuer Name, compared byte for byte with certificates' issuer fields. */
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Revoked serial numbers as lower-case hex without leading zero bytes. */
  revokedSerials: Set<string>;
  signatureAlgorithm: string;
  /** The signed bytes (tbsCertList, DER) and the signature value. */
  tbs: Uint8Array;
  signature: Uint8Array;
  /** SHA-256 of the whole DER, for caching. */
  digest: string;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_COLLATERAL, `malformed CRL: ${message}`);
}

/** UTCTime or GeneralizedTime to a Date (RFC 5280: always Zulu, seconds present). */
export function decodeTime(node: DerNode): Date {
  const text = Buffer.from(derValue(node)).toString('latin1');
  let m: RegExpExecArray | null;
  if (node.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (node.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  return bad(`unreadable time "${text}"`);
}

/** INTEGER value bytes to normalized hex (no leading zero bytes), as serial numbers compare. */
export function serialHex(value: Uint8Array): string {
  let i = 0;
  while (i < value.byteLength - 1 && value[i] === 0) i++;
  return Buffer.from(value.subarray(i)).toString('hex');
}

/** Parses a DER CRL; throws `CC_ERROR_INVALID_COLLATERAL` on malformed input. */
export function parseCrl(der: Uint8Array): Crl {
  try {
    const root = readDer(der);
    if (root.tag !== 0x30 || root.end !== der.byteLength) bad('not a single DER SEQUENCE');
    const [tbsNode, algNode, sigNode] = derChildren(root);
    if (!tbsNode || !algNode || !sigNode || tbsNode.tag !== 0x30 || sigNode.tag !== 0x03) bad('expected tbsCertList, signatureAlgorithm, signatureValue');
    if (algNode.tag !== 0x30) bad('signatureAlgorithm is not a SEQUENCE');
    const fields = derChildren(tbsNode);
    let i = 0;
    if (fields[i]?.tag === 0x02) {
      const version = derValue(fields[i++]);
      if (version.byteLength !== 1 || version[0] !== 1) bad('only version 2 CRLs (version field 1) are supported');
    }
    const innerAlg = fields[i++];
    const issuer = fields[i++];
    const thisUpdateNode = fields[i++];
    if (!innerAlg || !issuer || !thisUpdateNode || issuer.tag !== 0x30) bad('tbsCertList lacks signature, issuer or thisUpdate');
    // RFC 5280 5.1.1.2: the unsigned outer algorithm must repeat the signed one exactly
    if (Buffer.compare(Buffer.from(derElement(innerAlg)), Buffer.from(derElement(algNode))) !== 0) bad('signatureAlgorithm differs from the signed tbsCertList.signature');
    const thisUpdate = decodeTime(thisUpdateNode);
    let nextUpdate: Date | null = null;
    if (fields[i] && (fields[i].tag === 0x17 || fields[i].tag === 0x18)) nextUpdate = decodeTime(fields[i++]);
    const revokedSerials = new Set<string>();
    if (fields[i]?.tag === 0x30) {
      for (const entry of derChildren(fields[i++])) {
        if (entry.tag !== 0x30) bad('a revoked entry is not a SEQUENCE');
        const serial = derChildren(entry)[0];
        if (!serial || serial.tag !== 0x02) bad('revoked entry without serial number');
        revokedSerials.add(serialHex(derValue(serial)));
      }
    }
    if (fields[i] && fields[i].tag !== 0xa0) bad('unexpected field after the revoked certificates');
    if (fields.length > i + 1) bad('unexpected fields after the CRL extensions');
    const algOid = derChildren(algNode)[0];
    if (!algOid || algOid.tag !== 0x06) bad('signatureAlgorithm has no OID');
    const bits = derValue(sigNode);
    if (bits[0] !== 0) bad('signature BIT STRING has unused bits');
    return {
      issuer: derElement(issuer),
      thisUpdate,
      nextUpdate,
      revokedSerials,
      signatureAlgorithm: decodeOid(derValue(algOid)),
      tbs: derElement(tbsNode),
      signature: bits.subarray(1),
      digest: createHash('sha256').update(der).digest('hex'),
    };
  } catch (error) {
    if (error instanceof SecGearError && error.code === ErrorCode.INVALID_COLLATERAL) throw error;
    return bad(error instanceof Error ? error.message : String(error));
  }
}

const HASH_FOR_ALGORITHM: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

/** Verifies the CRL signature with the issuer's public key (ECDSA or RSA PKCS#1 v1.5). */
export function verifyCrlSignature(crl: Crl, issuerKey: KeyObject): boolean {
  const hash = HASH_FOR_ALGORITHM[crl.signatureAlgorithm];
  if (!hash) return false;
  try {
    return verifySignature(hash, crl.tbs, issuerKey, crl.signature);
  } catch {
    return false;
  }
}

/** Where a certificate's issuer Name and serial number sit, read from its DER. */
export interface CertificateIds {
  issuer: Uint8Array;
  subject: Uint8Array;
  serial: string;
}

/** Reads issuer, subject (raw DER Names) and serial number of a DER certificate. */
export function certificateIds(der: Uint8Array): CertificateIds {
  const cert = readDer(der);
  const tbs = derChildren(cert)[0];
  if (!tbs) throw new SecGearError(ErrorCode.INVALID_COLLATERAL, 'certificate has no tbsCertificate');
  const fields = derChildren(tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[i++];
  i++; // signature algorithm
  const issuer = fields[i++];
  i++; // validity
  const subject = fields[i];
  if (!serial || !issuer || !subject || serial.tag !== 0x02) throw new SecGearError(ErrorCode.INVALID_COLLATERAL, 'certificate fields are malformed');
  return { issuer: derElement(issuer), subject: derElement(subject), serial: serialHex(derValue(serial)) };
}
