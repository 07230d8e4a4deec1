import { createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';
import { certificatesFrom } from '../pki/chain.js';
import { listVerifiers } from '../registry.js';
import type { EvidenceFormat, TrustAnchor } from '../types.js';

/** A collateral file's role as recognised by a plug-in, and which plug-in recognised it. */
export interface CollateralRole {
  role: string;
  format: EvidenceFormat;
}

/**
 * Recognises a collateral file by its content: every registered plug-in's `classifyCollateral`
 * is asked in registration order, the first answer wins. Null when no plug-in recognises it.
 */
export function classifyCollateral(data: Uint8Array): CollateralRole | null {
  for (const verifier of listVerifiers()) {
    if (!verifier.classifyCollateral) continue;
    try {
      const role = verifier.classifyCollateral(data);
      if (role) return { role, format: verifier.format };
    } catch {
      // a classifier that throws on foreign input simply does not recognise it
    }
  }
  return null;
}

function isJsonObject(text: string): boolean {
  return /^\s*\{/.test(text);
}

/** Generic anchors when no plug-in claims a file: X.509 certificates, PEM public keys, JWKs. */
function genericAnchors(data: Uint8Array): TrustAnchor[] | null {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (text.includes('-----BEGIN PUBLIC KEY-----')) {
    try {
      return [{ kind: 'jwk', jwk: createPublicKey(text).export({ format: 'jwk' }) }];
    } catch {
      return null;
    }
  }
  if (isJsonObject(text)) {
    try {
      const json = JSON.parse(text) as { kty?: unknown; keys?: unknown };
      const keys = Array.isArray(json.keys) ? json.keys : [json];
      if (!keys.every((k) => typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string')) return null;
      return keys.map((jwk) => ({ kind: 'jwk', jwk: jwk as JsonWebKey }));
    } catch {
      return null;
    }
  }
  try {
    const ders = certificatesFrom(data);
    if (ders.length === 0) return null;
    for (const der of ders) new X509Certificate(Buffer.from(der));
    return ders.map((der) => ({ kind: 'x509', der }));
  } catch {
    return null;
  }
}

/**
 * Recognises a trust-anchor file: a plug-in's `classifyAnchor` first (in registration order),
 * then any X.509 certificate (one anchor per certificate of a PEM bundle), PEM public key or
 * JWK. Null when the file is none of these.
 */
export function classifyAnchors(data: Uint8Array): TrustAnchor[] | null {
  for (const verifier of listVerifiers()) {
    if (!verifier.classifyAnchor) continue;
    try {
      const anchor = verifier.classifyAnchor(data);
      if (anchor) return [anchor];
    } catch {
      // not this plug-in's anchor
    }
  }
  return genericAnchors(data);
}
