import { createHash } from 'node:crypto';
import { bytesEqual } from '../../../common/bytes.js';
import type { NormalizedClaims } from '../../types.js';
import type { EmbeddedEvidence } from './extract.js';

/**
 * Whether verified evidence vouches for the certificate's key. Accepted forms:
 * - SGX/TDX report data = H(SubjectPublicKeyInfo) (Gramine legacy), H ∈ {SHA-256, SHA-384,
 *   SHA-512}, zero-padded to 64 bytes;
 * - SGX/TDX report data = H(claims) and the claims' pubkey-hash = H'(SubjectPublicKeyInfo)
 *   (TCG tagged evidence; a raw quote may use the claims of a tagged-evidence extension of
 *   the same certificate);
 * - Nitro public_key = SubjectPublicKeyInfo, or user_data = SubjectPublicKeyInfo or H(it).
 */
const NAMED_INFO: Record<number, string> = { 1: 'sha256', 7: 'sha384', 8: 'sha512' };
const DIGESTS = ['sha256', 'sha384', 'sha512'] as const;

function digest(algorithm: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(algorithm).update(data).digest());
}

/** report data = digest ‖ zeros (64 bytes in all) for one of SHA-256/384/512. */
function reportDataHolds(reportData: Uint8Array, data: Uint8Array): string | null {
  for (const algorithm of DIGESTS) {
    const d = digest(algorithm, data);
    if (bytesEqual(reportData.subarray(0, d.byteLength), d) && reportData.subarray(d.byteLength).every((b) => b === 0)) return algorithm;
  }
  return null;
}

export interface BindingResult {
  failure: string | null;
  how: string;
}

export function checkBinding(item: EmbeddedEvidence, claims: NormalizedClaims | null, rawClaims: Record<string, unknown>, spki: Uint8Array, all: EmbeddedEvidence[]): BindingResult {
  if (item.format === 'nitro') {
    const publicKey = rawClaims.public_key;
    const userData = rawClaims.user_data;
    if (publicKey instanceof Uint8Array && bytesEqual(publicKey, spki)) return { failure: null, how: 'the document public_key is the certificate key' };
    if (userData instanceof Uint8Array && bytesEqual(userData, spki)) return { failure: null, how: 'the document user_data is the certificate key' };
    if (userData instanceof Uint8Array) {
      for (const algorithm of DIGESTS) if (bytesEqual(userData, digest(algorithm, spki))) return { failure: null, how: `the document user_data is the ${algorithm} of the certificate key` };
    }
    return { failure: 'neither public_key nor user_data of the Nitro document is (a hash of) the certificate key', how: '' };
  }
  const reportData = claims?.reportData;
  if (!reportData || reportData.byteLength !== 64) return { failure: 'the quote carries no 64-byte report data', how: '' };
  const direct = reportDataHolds(reportData, spki);
  if (direct) return { failure: null, how: `report data is the ${direct} of the certificate key` };
  // the claims of this extension first, then those of any other tagged-evidence extension
  const candidates = [item.tagged, ...all.map((e) => e.tagged)].filter((t) => t !== null);
  for (const tagged of candidates) {
    if (!tagged.claimsBytes) continue;
    const viaClaims = reportDataHolds(reportData, tagged.claimsBytes);
    if (!viaClaims) continue;
    if (!tagged.pubkeyHash) return { failure: 'report data hashes claims that hold no pubkey-hash', how: '' };
    const algorithm = NAMED_INFO[tagged.pubkeyHash.algorithm];
    if (!algorithm) return { failure: `pubkey-hash uses unsupported hash algorithm id ${tagged.pubkeyHash.algorithm}`, how: '' };
    if (!bytesEqual(tagged.pubkeyHash.hash, digest(algorithm, spki))) return { failure: 'the pubkey-hash claim is not the hash of the certificate key', how: '' };
    return { failure: null, how: `report data is the ${viaClaims} of claims whose pubkey-hash is the ${algorithm} of the certificate key` };
  }
  return { failure: 'the report data is neither a hash of the certificate key nor of claims that hold its hash', how: '' };
}
