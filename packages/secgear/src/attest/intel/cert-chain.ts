import type { KeyObject, X509Certificate } from 'node:crypto';
import { parseCertificate } from '../pki/chain.js';
import { certificateIds, type Crl } from '../pki/crl.js';
import { BoundedCache, digest, registerCache, verifiedOnce } from './verdict-cache.js';

/** A certificate parsed once and remembered by the SHA-256 of its DER. */
export interface CertInfo {
  der: Uint8Array;
  digest: string;
  x509: X509Certificate;
  publicKey: KeyObject;
  issuer: string;
  subject: string;
  /** Raw DER Names, hex (compared byte for byte, as RFC 5280 path building does). */
  issuerKey: string;
  subjectKey: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  ca: boolean;
  selfIssued: boolean;
}

const certs = registerCache(new BoundedCache<CertInfo>());

/**
 * Parses (or recalls) a DER certificate. Throws on malformed DER. The parse goes through
 * `parseCertificate`, so the object describes these exact bytes and never a PEM block hidden
 * inside them (which would pair one certificate's key and signature with another's serial).
 */
export function certInfo(der: Uint8Array): CertInfo {
  const key = digest(der);
  return certs.getOrCompute(key, () => {
    const x509 = parseCertificate(der);
    const ids = certificateIds(der);
    const issuerKey = Buffer.from(ids.issuer).toString('hex');
    const subjectKey = Buffer.from(ids.subject).toString('hex');
    return {
      der: new Uint8Array(der),
      digest: key,
      x509,
      publicKey: x509.publicKey,
      issuer: x509.issuer.replace(/\n/g, ', '),
      subject: x509.subject.replace(/\n/g, ', '),
      issuerKey,
      subjectKey,
      serial: ids.serial,
      notBefore: Date.parse(x509.validFrom),
      notAfter: Date.parse(x509.validTo),
      ca: x509.ca,
      selfIssued: issuerKey === subjectKey,
    };
  });
}

/** Whether `issuer` signed `cert` (cached per pair; only successes are remembered). */
export function signedBy(cert: CertInfo, issuer: CertInfo): boolean {
  if (cert.issuerKey !== issuer.subjectKey) return false;
  return verifiedOnce(`cert|${cert.digest}|${issuer.digest}`, () => {
    try {
      return cert.x509.verify(issuer.publicKey);
    } catch {
      return false;
    }
  });
}

export type ChainResult =
  | { ok: true; path: CertInfo[]; anchor: CertInfo }
  | { ok: false; detail: string; path: CertInfo[] };

/**
 * Builds and checks the path from `leaf` through `pool` to one of `anchors`: every link signed
 * by the next, every issuer a CA, every certificate (anchor included) valid at `now`. A
 * self-signed certificate that is not an anchor never ends a path. `path` starts at the leaf
 * and ends with the anchor.
 */
export function buildChain(leaf: CertInfo, pool: CertInfo[], anchors: CertInfo[], now: Date): ChainResult {
  const path: CertInfo[] = [leaf];
  const at = now.getTime();
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    const anchored = anchors.find((a) => a.digest === current.digest);
    if (anchored) return finish(path, anchored, at, now);
    const anchor = anchors.find((a) => signedBy(current, a));
    if (anchor) {
      path.push(anchor);
      return finish(path, anchor, at, now);
    }
    const next = pool.find((c) => !path.some((p) => p.digest === c.digest) && signedBy(current, c));
    if (!next) {
      const hint = current.selfIssued ? `it ends at ${current.subject}, which is not a trusted root` : `no certificate given for its issuer ${current.issuer}`;
      return { ok: false, path, detail: `the chain does not reach a trusted root: ${hint}` };
    }
    path.push(next);
    current = next;
  }
  return { ok: false, path, detail: 'certificate chain is too long' };
}

function finish(path: CertInfo[], anchor: CertInfo, at: number, now: Date): ChainResult {
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (at < c.notBefore || at > c.notAfter) {
      return {
        ok: false,
        path,
        detail: `${c.subject} is not valid at ${now.toISOString()} (valid ${new Date(c.notBefore).toISOString()} to ${new Date(c.notAfter).toISOString()})`,
      };
    }
    if (i > 0 && !c.ca) return { ok: false, path, detail: `${c.subject} issued a certificate but is not a CA` };
  }
  return { ok: true, path, anchor };
}

/**
 * Whether `cert` is an anchor or is signed, through certificates of `pool`, by one (signatures
 * only; validity windows are checked where a certificate is used). Catches corrupt or foreign
 * certificates that no path would otherwise touch.
 */
export function chainsToAnchor(cert: CertInfo, pool: CertInfo[], anchors: CertInfo[], depth = 0): boolean {
  if (anchors.some((a) => a.digest === cert.digest)) return true;
  if (anchors.some((a) => signedBy(cert, a))) return true;
  if (depth >= 8) return false;
  return pool.some((c) => c.digest !== cert.digest && !c.selfIssued && signedBy(cert, c) && chainsToAnchor(c, pool, anchors, depth + 1));
}

/** Whether a CRL from this issuer lists the certificate's serial number. */
export function isRevoked(cert: CertInfo, crl: Crl): boolean {
  return Buffer.from(crl.issuer).toString('hex') === cert.issuerKey && crl.revokedSerials.has(cert.serial);
}

/** Parses every DER certificate; unparseable ones are reported by index. */
export function certInfos(ders: Uint8Array[]): { certs: CertInfo[]; errors: string[] } {
  const out: CertInfo[] = [];
  const errors: string[] = [];
  ders.forEach((der, i) => {
    try {
      out.push(certInfo(der));
    } catch (error) {
      errors.push(`certificate ${i} could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { certs: out, errors };
}
