/**
 * `verifyPeer(certificate, policy)`: verifies an RA-TLS certificate with the unified verifier
 * (every registered TEE format), checks the evidence binds the certificate's key, applies the
 * policy to the normalized claims, and returns them. Throws; never returns a rejected peer.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { verifyEvidence } from '../attest/verify.js';
import '../attest/verifiers/index.js';
import { extractRaTlsEvidence } from '../attest/verifiers/ra-tls-cert/extract.js';
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import type { PeerAttestation, RaTlsPolicy } from './peer-policy.js';

export type PeerCertificate = Uint8Array | string | X509Certificate | { raw: Uint8Array };

function certificateBytes(cert: PeerCertificate): Uint8Array {
  if (isBytes(cert)) return cert;
  if (typeof cert === 'string') return new TextEncoder().encode(cert);
  if (cert instanceof X509Certificate) return new Uint8Array(cert.raw);
  if (cert && typeof cert === 'object' && isBytes((cert as { raw?: unknown }).raw)) return (cert as { raw: Uint8Array }).raw;
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyPeer(certificate): pass DER or PEM bytes, PEM text, an X509Certificate or a peer certificate ({ raw })');
}

export async function verifyPeer(certificate: PeerCertificate, policy: RaTlsPolicy = {}): Promise<PeerAttestation> {
  const bytes = certificateBytes(certificate);
  if (typeof policy !== 'object' || policy === null) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyPeer: policy must be an object');
  const result = await verifyEvidence(bytes, {
    format: 'ra-tls-cert',
    nonce: policy.nonce,
    allowSimulation: policy.allowSimulation ?? false,
    collateral: policy.collateral,
    trustAnchors: policy.trustAnchors,
    replaceBuiltInAnchors: policy.replaceBuiltInAnchors,
    now: policy.now,
    policy: {
      measurements: policy.measurements,
      signers: policy.signers,
      minSvn: policy.minSvn,
      allowDebug: policy.allowDebug,
      acceptTcbStatuses: policy.acceptTcbStatuses,
    },
  });
  if (!result.verified || !result.claims || !result.tee) {
    const failure = result.failure ?? { check: 'evidence', message: 'no evidence verified' };
    throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `RA-TLS peer rejected: check ${failure.check} failed: ${failure.message}`);
  }
  const claims = result.claims;
  const reasons = [...result.appraisal.reasons];
  let status = result.appraisal.status;
  if (policy.prodId !== undefined && claims.prodId !== policy.prodId) {
    status = 'contraindicated';
    reasons.push(`policy: prodId ${claims.prodId ?? 'unknown'} is not ${policy.prodId}`);
  }
  if (policy.tees && !policy.tees.includes(result.tee)) {
    status = 'contraindicated';
    reasons.push(`policy: TEE ${result.tee} is not among ${policy.tees.join(', ')}`);
  }
  if (status === 'contraindicated' || (status === 'warning' && !policy.acceptWarning)) {
    throw new SecGearError(ErrorCode.ATTESTATION_REJECTED, `RA-TLS peer rejected (${status}): ${reasons.join('; ')}`);
  }
  return { tee: result.tee, claims, status, reasons, spki: extractRaTlsEvidence(bytes).spki };
}

interface CachedAppraisal {
  peer: Promise<PeerAttestation>;
  expires: number;
}

export interface PeerVerifierOptions {
  /** How long a verified certificate's appraisal is reused. Default 300 000 ms. */
  cacheTtlMs?: number;
  /** Certificates remembered at most. Default 256. */
  cacheSize?: number;
}

/**
 * A `verifyPeer` bound to one policy that remembers appraisals by certificate, so that a client
 * reconnecting to the same enclave does not re-verify its evidence each time. A policy with a
 * nonce is never cached (each nonce is for one connection).
 */
export function createPeerVerifier(policy: RaTlsPolicy = {}, options: PeerVerifierOptions = {}): (certificate: PeerCertificate) => Promise<PeerAttestation> {
  const ttl = options.cacheTtlMs ?? 300_000;
  const size = options.cacheSize ?? 256;
  const cache = new Map<string, CachedAppraisal>();
  return (certificate) => {
    if (policy.nonce) return verifyPeer(certificate, policy);
    const bytes = certificateBytes(certificate);
    const key = createHash('sha256').update(bytes).digest('base64');
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.peer;
    const peer = verifyPeer(bytes, policy);
    if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    cache.set(key, { peer, expires: now + ttl });
    peer.catch(() => cache.delete(key));
    return peer;
  };
}
