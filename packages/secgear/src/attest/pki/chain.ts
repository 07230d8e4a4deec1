import { X509Certificate, createHash } from 'node:crypto';
import { asBuffer, bytesEqual } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';
import type { CheckOutcome } from '../types.js';
import { readDer } from './der.js';

/** PEM text (one or many certificates) to DER blocks, in order. */
export function pemToDers(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

/** Whether `bytes` are exactly one DER SEQUENCE, nothing before or after it. */
export function isSingleDerSequence(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 2 || bytes[0] !== 0x30) return false;
  try {
    return readDer(bytes).end === bytes.byteLength;
  } catch {
    return false;
  }
}

/**
 * DER or PEM bytes to a list of DER certificates. Bytes that are one whole DER SEQUENCE are DER
 * whatever text they hold (an RA-TLS certificate embeds a quote that embeds the PCK chain as
 * PEM); text that starts as PEM gives its `CERTIFICATE` blocks (none for other PEM); anything
 * else (binary that merely contains PEM, such as a quote) is returned as it is, for the
 * certificate parser to reject.
 */
export function certificatesFrom(bytes: Uint8Array): Uint8Array[] {
  if (isSingleDerSequence(bytes)) return [bytes];
  if (asBuffer(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN')) return pemToDers(asBuffer(bytes).toString('latin1'));
  return [bytes];
}

const parsed = new Map<string, X509Certificate>();

/**
 * Parses a DER certificate, memoised by content so repeated verifications reuse the work.
 * Node's X509Certificate tries PEM before DER and OpenSSL's PEM reader skips junk, so DER that
 * merely contains a PEM block (an RA-TLS certificate whose SGX quote embeds the PCK chain) would
 * parse as that embedded certificate. The DER is therefore wrapped as PEM here, and the result
 * is checked to be these exact bytes. Every X.509 parse in `attest/` goes through here: never
 * construct `X509Certificate` from untrusted bytes directly. Throws `CC_ERROR_INVALID_EVIDENCE`.
 */
export function parseCertificate(der: Uint8Array): X509Certificate {
  const key = createHash('sha256').update(der).digest('base64');
  let cert = parsed.get(key);
  if (!cert) {
    const pem = `-----BEGIN CERTIFICATE-----\n${asBuffer(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
    try {
      cert = new X509Certificate(pem);
    } catch (error) {
      throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `not a readable X.509 certificate: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!bytesEqual(new Uint8Array(cert.raw), der)) throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the certificate has trailing bytes or is not one DER certificate');
    if (parsed.size > 1024) parsed.clear();
    parsed.set(key, cert);
  }
  return cert;
}

/** Forgets every parsed certificate (and so every verified link, which hangs off them). */
export function clearParsedCertificates(): void {
  parsed.clear();
}

const verifiedLinks = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();

/**
 * Whether `cert` names `issuer` as its issuer and carries its signature. The answer depends
 * only on the two certificates' bytes, and `parseCertificate` returns one object per content,
 * so it is memoised per pair: repeated verifications skip the public-key operation.
 */
export function isSignedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  let byIssuer = verifiedLinks.get(cert);
  if (!byIssuer) {
    byIssuer = new WeakMap();
    verifiedLinks.set(cert, byIssuer);
  }
  let ok = byIssuer.get(issuer);
  if (ok === undefined) {
    ok = cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
    byIssuer.set(issuer, ok);
  }
  return ok;
}

export interface ChainOptions {
  /** Name used in check names, e.g. `pck` → `pck.chain`. */
  name: string;
  now: Date;
  /** Trusted roots (DER). The chain must end at one of them (by equal DER or by issuer key). */
  anchors: Uint8Array[];
}

/**
 * Verifies `chain` (leaf first; the root may be included or not) up to one of `anchors`:
 * each certificate signed by the next, each valid at `now`, issuer names linked, and the top
 * either equal to an anchor or signed by one. Returns one check outcome.
 */
export function verifyCertificateChain(chain: Uint8Array[], options: ChainOptions): CheckOutcome {
  const check = `${options.name}.chain`;
  try {
    if (chain.length === 0) return { check, ok: false, detail: 'no certificates' };
    const certs = chain.map(parseCertificate);
    const at = options.now.getTime();
    for (let i = 0; i < certs.length; i++) {
      const cert = certs[i];
      if (at < Date.parse(cert.validFrom) || at > Date.parse(cert.validTo)) {
        return { check, ok: false, detail: `certificate ${i} (${cert.subject.replace(/\n/g, ', ')}) is not valid at ${options.now.toISOString()} (valid ${cert.validFrom} to ${cert.validTo})` };
      }
      const issuer = certs[i + 1];
      if (issuer) {
        if (!isSignedBy(cert, issuer)) {
          return { check, ok: false, detail: `certificate ${i} (${cert.subject.replace(/\n/g, ', ')}) is not signed by certificate ${i + 1}` };
        }
      }
    }
    const top = certs[certs.length - 1];
    const topDer = chain[chain.length - 1];
    for (const anchorDer of options.anchors) {
      if (bytesEqual(anchorDer, topDer)) return { check, ok: true };
    }
    for (const anchorDer of options.anchors) {
      const anchor = parseCertificate(anchorDer);
      if (isSignedBy(top, anchor)) {
        if (at < Date.parse(anchor.validFrom) || at > Date.parse(anchor.validTo)) {
          return { check, ok: false, detail: `trust anchor ${anchor.subject.replace(/\n/g, ', ')} is not valid at ${options.now.toISOString()}` };
        }
        return { check, ok: true };
      }
    }
    return { check, ok: false, detail: `the chain does not end at a trusted root (top: ${top.issuer.replace(/\n/g, ', ')})` };
  } catch (error) {
    return { check, ok: false, detail: `certificate could not be parsed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
