import { certificatesFrom } from '../pki/chain.js';
import { parseCrl, type Crl } from '../pki/crl.js';
import { topLevelMembers } from './signed-json.js';
import { certInfo } from './cert-chain.js';
import type { TrustAnchor } from '../types.js';

/**
 * Recognises Intel DCAP collateral by content (never by file name). Roles use the manifest's
 * names: `tcbInfo`, `qeIdentity`, `pckCrl`, `rootCrl`, `pckCert`, `pckCrlIssuerChain` (PCK CA
 * certificates), `tcbInfoIssuerChain` (TCB signing certificates, which also sign QE identities),
 * `bundle` (a dcap-qvl JSON collateral bundle); plus `qveIdentity` and
 * `tcbEvaluationDataNumbers`, which are recognised and not used.
 */
export type IntelRole =
  | 'tcbInfo'
  | 'qeIdentity'
  | 'qveIdentity'
  | 'tcbEvaluationDataNumbers'
  | 'bundle'
  | 'pckCrl'
  | 'rootCrl'
  | 'pckCert'
  | 'pckCertChain'
  | 'pckCrlIssuerChain'
  | 'tcbInfoIssuerChain'
  | 'qeIdentityIssuerChain';

const ascii = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

function startsWithJsonObject(data: Uint8Array): boolean {
  for (const b of data) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b;
  }
  return false;
}

function classifyJson(data: Uint8Array): IntelRole | null {
  let members: Map<string, Uint8Array>;
  try {
    members = topLevelMembers(data);
  } catch {
    return null;
  }
  if (members.has('tcbInfo') && members.has('signature')) return 'tcbInfo';
  if (members.has('enclaveIdentity') && members.has('signature')) {
    const id = /"id"\s*:\s*"([A-Z_]+)"/.exec(ascii(members.get('enclaveIdentity') ?? new Uint8Array()))?.[1];
    return id === 'QVE' ? 'qveIdentity' : 'qeIdentity';
  }
  if (members.has('tcbEvaluationDataNumbers')) return 'tcbEvaluationDataNumbers';
  if (members.has('tcb_info') && members.has('qe_identity')) return 'bundle';
  return null;
}

/** DER, PEM (`X509 CRL`) or hex text to CRL DER; null when the bytes are none of these. */
export function crlDer(data: Uint8Array): Uint8Array | null {
  // DER first: its bytes may hold any text, and a text form never starts with byte 0x30
  if (data[0] === 0x30) return data;
  const head = ascii(data.subarray(0, 40));
  if (head.includes('-----BEGIN X509 CRL-----')) {
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(ascii(data));
    return m ? new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')) : null;
  }
  const text = ascii(data).trim();
  if (/^(0x)?30[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return new Uint8Array(Buffer.from(text.replace(/^0x/, ''), 'hex'));
  return null;
}

/** Parses an Intel CRL, or returns null when the bytes are not a CRL issued by an Intel SGX CA. */
export function intelCrl(data: Uint8Array): Crl | null {
  const der = crlDer(data);
  if (!der) return null;
  try {
    const crl = parseCrl(der);
    return ascii(crl.issuer).includes('Intel SGX') ? crl : null;
  } catch {
    return null;
  }
}

function classifyCertificates(data: Uint8Array): IntelRole | null {
  try {
    const certs = certificatesFrom(data).map(certInfo);
    if (certs.length === 0 || !certs.every((c) => c.subject.includes('CN=Intel SGX'))) return null;
    // chains come leaf-first or root-first: the most specific certificate decides
    const has = (part: string) => certs.some((c) => c.subject.includes(part));
    if (has('CN=Intel SGX PCK Certificate')) return 'pckCert';
    if (has('TCB Signing')) return 'tcbInfoIssuerChain';
    if (has('PCK Platform CA') || has('PCK Processor CA')) return 'pckCrlIssuerChain';
    return null;
  } catch {
    return null;
  }
}

/** The role of an Intel collateral file, or null when it is not Intel collateral. */
export function classifyIntelCollateral(data: Uint8Array): IntelRole | null {
  if (data.byteLength === 0) return null;
  if (startsWithJsonObject(data)) return classifyJson(data);
  const crl = intelCrl(data);
  if (crl) return ascii(crl.issuer).includes('Intel SGX Root CA') ? 'rootCrl' : 'pckCrl';
  return classifyCertificates(data);
}

/** A self-signed Intel SGX Root CA certificate (real or test) as a trust anchor. */
export function classifyIntelAnchor(data: Uint8Array): TrustAnchor | null {
  try {
    const ders = certificatesFrom(data);
    if (ders.length !== 1) return null;
    const info = certInfo(ders[0]);
    if (!info.selfIssued || !info.subject.includes('CN=Intel SGX Root CA')) return null;
    return { kind: 'x509', der: ders[0] };
  } catch {
    return null;
  }
}
