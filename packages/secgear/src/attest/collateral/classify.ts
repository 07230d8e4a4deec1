import type { JsonWebKey } from 'node:crypto';
import { publicKeyFromText } from '../cose/keys.js';
import { certificatesFrom, parseCertificate } from '../pki/chain.js';
import { defaultVerifiers, type VerifierRegistry } from '../registry.js';
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
export function classifyCollateral(data: Uint8Array, verifiers: VerifierRegistry = defaultVerifiers): CollateralRole | null {
  for (const verifier of verifiers.list()) {
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

/** JWK members that only a private key has: such a file is never taken as an anchor. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

function publicJwks(text: string): JsonWebKey[] | null {
  try {
    const json = JSON.parse(text) as { keys?: unknown };
    const keys: unknown[] = Array.isArray(json.keys) ? json.keys : [json];
    const isPublicJwk = (k: unknown) =>
      typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string' && !PRIVATE_JWK_MEMBERS.some((m) => m in k);
    return keys.length > 0 && keys.every(isPublicJwk) ? (keys as JsonWebKey[]) : null;
  } catch {
    return null;
  }
}

/**
 * Generic anchors when no plug-in claims a file: X.509 certificates (DER or PEM), a PEM public
 * key, a public JWK or JWK set. Every certificate is parsed as the exact DER found (a DER file
 * that merely holds PEM text is not the certificate in that text).
 */
function genericAnchors(data: Uint8Array): TrustAnchor[] | null {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (/^\s*\{/.test(text)) {
    const jwks = publicJwks(text);
    return jwks ? jwks.map((jwk) => ({ kind: 'jwk', jwk })) : null;
  }
  const key = publicKeyFromText(text);
  if (key) return [{ kind: 'jwk', jwk: key.export({ format: 'jwk' }) }];
  try {
    const ders = certificatesFrom(data);
    if (ders.length === 0) return null;
    for (const der of ders) parseCertificate(der);
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
export function classifyAnchors(data: Uint8Array, verifiers: VerifierRegistry = defaultVerifiers): TrustAnchor[] | null {
  for (const verifier of verifiers.list()) {
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
