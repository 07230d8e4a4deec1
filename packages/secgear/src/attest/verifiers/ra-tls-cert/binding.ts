import { createHash } from 'node:crypto';
import { bytesEqual } from '../../../common/bytes.js';
import { EVIDENCE_BINDING_SIZE, reportDataBinds } from '../../evidence-binding.js';
import type { NormalizedClaims } from '../../types.js';
import type { EmbeddedEvidence } from './extract.js';
import { challengeKeyHash } from './secgear-extension.js';
import type { TaggedEvidence } from './tcg-evidence.js';

/**
 * Whether verified evidence vouches for the certificate's key. The evidence's report data is
 * the normalized `reportData` claim whatever the TEE (SGX/TDX REPORTDATA, SEV-SNP REPORT_DATA,
 * CCA/virtCCA realm challenge, Nitro user_data, sim report data). Accepted forms:
 * - report data = H(SubjectPublicKeyInfo) (Gramine legacy), H ∈ {SHA-256, SHA-384, SHA-512},
 *   zero-padded;
 * - report data = H(claims) and the claims' pubkey-hash = H'(SubjectPublicKeyInfo) (TCG tagged
 *   evidence; evidence of another extension of the same certificate may use those claims);
 * - secGear's extension: its challenge names SHA-256(SubjectPublicKeyInfo) at bytes 32..64 and
 *   the report data (or nonce) is the challenge or its hash;
 * - Nitro: public_key = SubjectPublicKeyInfo, or user_data = SubjectPublicKeyInfo or H(it).
 */
const NAMED_INFO: Record<number, string> = { 1: 'sha256', 7: 'sha384', 8: 'sha512' };
const DIGESTS = ['sha256', 'sha384', 'sha512'] as const;

function digest(algorithm: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(algorithm).update(data).digest());
}

/**
 * report data = digest ‖ zeros for one of SHA-256/384/512, as written by tools that put it in
 * the TEE's report data as is; or secGear's evidence binding of those 64 bytes as the data
 * (docs/formats/evidence-binding.md), as secGear's platforms write what `getEvidence` is given.
 */
function reportDataHolds(reportData: Uint8Array, data: Uint8Array): string | null {
  for (const algorithm of DIGESTS) {
    const d = digest(algorithm, data);
    if (reportData.byteLength < d.byteLength) continue;
    if (bytesEqual(reportData.subarray(0, d.byteLength), d) && reportData.subarray(d.byteLength).every((b) => b === 0)) return algorithm;
    const padded = new Uint8Array(EVIDENCE_BINDING_SIZE);
    padded.set(d);
    if (reportDataBinds(reportData, { reportData: padded })) return `${algorithm} (through secGear's evidence binding)`;
  }
  return null;
}

export interface BindingResult {
  failure: string | null;
  how: string;
  /** The tagged claims the report data hashes, when the key is bound through them. */
  boundClaims?: TaggedEvidence;
}

const fail = (failure: string): BindingResult => ({ failure, how: '' });

function nitroBinding(rawClaims: Record<string, unknown>, spki: Uint8Array): BindingResult | null {
  const publicKey = rawClaims.public_key;
  const userData = rawClaims.user_data;
  if (publicKey instanceof Uint8Array && bytesEqual(publicKey, spki)) return { failure: null, how: 'the document public_key is the certificate key' };
  if (userData instanceof Uint8Array && bytesEqual(userData, spki)) return { failure: null, how: 'the document user_data is the certificate key' };
  if (userData instanceof Uint8Array) {
    for (const algorithm of DIGESTS) if (bytesEqual(userData, digest(algorithm, spki))) return { failure: null, how: `the document user_data is the ${algorithm} of the certificate key` };
  }
  return null;
}

function claimsBinding(reportData: Uint8Array, spki: Uint8Array, item: EmbeddedEvidence, all: EmbeddedEvidence[]): BindingResult | null {
  // the claims of this extension first, then those of any other tagged-evidence extension
  const candidates = [item.tagged, ...all.map((e) => e.tagged)].filter((t) => t !== null);
  for (const tagged of candidates) {
    if (!tagged.claimsBytes) continue;
    const viaClaims = reportDataHolds(reportData, tagged.claimsBytes);
    if (!viaClaims) continue;
    if (!tagged.pubkeyHash) return fail('report data hashes claims that hold no pubkey-hash');
    const algorithm = NAMED_INFO[tagged.pubkeyHash.algorithm];
    if (!algorithm) return fail(`pubkey-hash uses unsupported hash algorithm id ${tagged.pubkeyHash.algorithm}`);
    if (!bytesEqual(tagged.pubkeyHash.hash, digest(algorithm, spki))) return fail('the pubkey-hash claim is not the hash of the certificate key');
    return { failure: null, how: `report data is the ${viaClaims} of claims whose pubkey-hash is the ${algorithm} of the certificate key`, boundClaims: tagged };
  }
  return null;
}

export function checkBinding(item: EmbeddedEvidence, claims: NormalizedClaims | null, rawClaims: Record<string, unknown>, spki: Uint8Array, all: EmbeddedEvidence[]): BindingResult {
  if (item.format === 'nitro') {
    const direct = nitroBinding(rawClaims, spki);
    if (direct) return direct;
  }
  const reportData = claims?.reportData;
  if (!reportData || reportData.byteLength < 32) {
    return fail(item.format === 'nitro' ? 'neither public_key nor user_data of the Nitro document is (a hash of) the certificate key' : 'the evidence carries no report data to bind the key');
  }
  if (item.challenge) {
    if (!bytesEqual(challengeKeyHash(item.challenge), digest('sha256', spki))) return fail('the secGear challenge names another key (bytes 32..64 are not the SHA-256 of the certificate key)');
    if (bytesEqual(reportData, item.challenge) || (claims?.nonce && bytesEqual(claims.nonce, item.challenge))) {
      return { failure: null, how: 'the evidence carries the secGear challenge, which names the certificate key' };
    }
    const held = reportDataHolds(reportData, item.challenge);
    if (held) return { failure: null, how: `report data is the ${held} of the secGear challenge, which names the certificate key` };
  }
  const direct = reportDataHolds(reportData, spki);
  if (direct) return { failure: null, how: `report data is the ${direct} of the certificate key` };
  const viaClaims = claimsBinding(reportData, spki, item, all);
  if (viaClaims) return viaClaims;
  if (item.format === 'nitro') return fail('neither public_key nor user_data of the Nitro document is (a hash of) the certificate key');
  return fail('the report data is neither a hash of the certificate key nor of claims that hold its hash');
}
