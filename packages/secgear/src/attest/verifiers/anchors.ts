import type { KeyObject, X509Certificate } from 'node:crypto';
import { certificatesFrom, parseCertificate } from '../pki/chain.js';
import type { VerifierContext } from '../types.js';

/** Trust anchors and certificate pools as the verifier plug-ins use them. */

/** DER trust anchors: the plug-in's built-in roots (unless replaced) plus the caller's X.509 anchors. */
export function x509Anchors(context: VerifierContext, builtIn: readonly Uint8Array[]): Uint8Array[] {
  const explicit: Uint8Array[] = [];
  for (const anchor of context.trustAnchors) if (anchor.kind === 'x509') explicit.push(anchor.der);
  return context.replaceBuiltInAnchors ? explicit : [...builtIn, ...explicit];
}

/** The certificates (DER) of one file or item: a DER certificate or the blocks of a PEM bundle; none for other bytes. */
export function certificatesIn(data: Uint8Array): Uint8Array[] {
  try {
    return certificatesFrom(data).filter((der) => der.byteLength > 0 && der[0] === 0x30);
  } catch {
    return []; // not certificates: another plug-in's collateral
  }
}

/** Every certificate (DER) in the collateral items, whatever their role, in order. */
export function collateralCertificates(context: VerifierContext, roles?: readonly string[]): Uint8Array[] {
  return context.collateral.filter((item) => !roles || roles.includes(item.role)).flatMap((item) => certificatesIn(item.data));
}

/**
 * Orders a chain from `leaf` upwards by following issuer names through `pool` (the leaf
 * first; stops at a self-signed certificate or when no issuer is found). Signatures are not
 * checked here: `verifyCertificateChain` does that.
 */
export function buildChain(leaf: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const chain = [leaf];
  let current = parseCertificate(leaf);
  while (chain.length < 8 && current.issuer !== current.subject) {
    const next = pool.find((der) => {
      if (chain.some((c) => c === der)) return false;
      try {
        const candidate = parseCertificate(der);
        return candidate.subject === current.issuer && current.checkIssued(candidate);
      } catch {
        return false;
      }
    });
    if (!next) break;
    chain.push(next);
    current = parseCertificate(next);
  }
  return chain;
}

const certificateKeys = new WeakMap<X509Certificate, KeyObject>();

/** The public key of a certificate (DER), memoised per parsed certificate. */
export function certificateKey(der: Uint8Array): KeyObject {
  const cert = parseCertificate(der);
  let key = certificateKeys.get(cert);
  if (!key) {
    key = cert.publicKey;
    certificateKeys.set(cert, key);
  }
  return key;
}
