/**
 * `verifyPeer(certificate, policy)`: verifies an RA-TLS certificate with the unified verifier
 * (every registered TEE format), checks the evidence binds the certificate's key, applies the
 * policy to the normalized claims, and returns them. Throws; never returns a rejected peer.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { appraisePeer, type AttestationPolicy, type PeerAttestation } from '../attest/peer-appraisal.js';
import '../attest/verifiers/index.js';
import { extractRaTlsEvidence } from '../attest/verifiers/ra-tls-cert/extract.js';
import { isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';

export type PeerCertificate = Uint8Array | string | X509Certificate | { raw: Uint8Array };

function certificateBytes(cert: PeerCertificate): Uint8Array {
  if (isBytes(cert)) return cert;
  if (typeof cert === 'string') return new TextEncoder().encode(cert);
  if (cert instanceof X509Certificate) return new Uint8Array(cert.raw);
  if (cert && typeof cert === 'object' && isBytes((cert as { raw?: unknown }).raw)) return (cert as { raw: Uint8Array }).raw;
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'verifyPeer(certificate): pass DER or PEM bytes, PEM text, an X509Certificate or a peer certificate ({ raw })');
}

/** What `verifyPeer` returns: the peer's claims and the attested key. */
export interface RaTlsPeer extends PeerAttestation {
  /** DER SubjectPublicKeyInfo of the attested key. */
  spki: Uint8Array;
}

export type RaTlsPolicy = AttestationPolicy;

export async function verifyPeer(certificate: PeerCertificate, policy: RaTlsPolicy = {}): Promise<RaTlsPeer> {
  const bytes = certificateBytes(certificate);
  const { peer } = await appraisePeer(bytes, policy, { format: 'ra-tls-cert', what: 'RA-TLS peer' });
  return { ...peer, spki: extractRaTlsEvidence(bytes).spki };
}

interface CachedAppraisal {
  peer: Promise<RaTlsPeer>;
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
export function createPeerVerifier(policy: RaTlsPolicy = {}, options: PeerVerifierOptions = {}): (certificate: PeerCertificate) => Promise<RaTlsPeer> {
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
