import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { decodeCbor, decodeCborAt, readCborHeader, type CborValue } from '../../cose/cbor.js';

/**
 * TCG DICE tagged evidence (X.509 extension 2.23.133.5.4.9, "conceptual message wrapper"), as
 * the Interoperable RA-TLS formats use it: a CBOR tag naming the evidence type around
 * `[evidence: bstr, claims: bstr]`, where `claims` holds a CBOR map with a `pubkey-hash` claim
 * `[hash-alg-id, hash]` (IANA Named Information ids: 1 = sha-256, 7 = sha-384, 8 = sha-512).
 * The quote's report data is the hash of the claims bytes, and the pubkey-hash is the hash of
 * the certificate's SubjectPublicKeyInfo.
 */

export { INTEL_QUOTE_TAGS } from './evidence-tags.js';

/** A parsed TCG tagged-evidence extension value. */
export interface TaggedEvidence {
  tag: number;
  evidence: Uint8Array;
  /** The exact claims bytes that the report data hashes (the byte string's contents). */
  claimsBytes: Uint8Array | null;
  claims: Map<string, CborValue> | null;
  pubkeyHash: { algorithm: number; hash: Uint8Array } | null;
  /** The `nonce` claim (pre-session freshness), when present. */
  nonce: Uint8Array | null;
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `TCG tagged evidence: ${message}`);
}

/** Parses the value of extension 2.23.133.5.4.9. Throws `CC_ERROR_INVALID_EVIDENCE`. */
export function parseTaggedEvidence(value: Uint8Array): TaggedEvidence {
  const tagHeader = readCborHeader(value, 0);
  if (tagHeader.major !== 6 || typeof tagHeader.arg !== 'number') bad('the value does not start with a CBOR tag');
  const arrayHeader = readCborHeader(value, tagHeader.end);
  if (arrayHeader.major !== 4 || (arrayHeader.arg !== 1 && arrayHeader.arg !== 2)) bad('the tagged content is not [evidence] or [evidence, claims]');
  const first = decodeCborAt(value, arrayHeader.end);
  if (!(first.value instanceof Uint8Array)) bad('the evidence is not a byte string');
  let claimsBytes: Uint8Array | null = null;
  let end = first.end;
  if (arrayHeader.arg === 2) {
    const second = decodeCborAt(value, first.end);
    end = second.end;
    // claims are a byte string holding the map; an inline map is hashed as encoded
    claimsBytes = second.value instanceof Uint8Array ? second.value : value.subarray(first.end, second.end);
  }
  if (end !== value.byteLength) bad(`${value.byteLength - end} trailing bytes`);
  let claims: Map<string, CborValue> | null = null;
  let pubkeyHash: TaggedEvidence['pubkeyHash'] = null;
  let nonce: Uint8Array | null = null;
  if (claimsBytes) {
    const map = decodeCbor(claimsBytes);
    if (!(map instanceof Map)) bad('the claims are not a CBOR map');
    claims = new Map();
    for (const [k, v] of map) if (typeof k === 'string') claims.set(k, v);
    const raw = claims.get('pubkey-hash');
    if (raw !== undefined) {
      const entry = raw instanceof Uint8Array ? decodeCbor(raw) : raw;
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'number' || !(entry[1] instanceof Uint8Array)) {
        bad('pubkey-hash is not [hash-alg-id, hash]');
      }
      pubkeyHash = { algorithm: entry[0], hash: entry[1] };
    }
    const nonceClaim = claims.get('nonce');
    if (nonceClaim !== undefined) {
      if (!(nonceClaim instanceof Uint8Array)) bad('the nonce claim is not a byte string');
      nonce = nonceClaim;
    }
  }
  return { tag: tagHeader.arg, evidence: first.value, claimsBytes, claims, pubkeyHash, nonce };
}
