/**
 * The claims an RA-TLS certificate's evidence vouches for (Interoperable RA-TLS, TCG DICE
 * tagged evidence): a CBOR map `{"pubkey-hash": bstr(.cbor [1, SHA-256(SPKI)]), ? "nonce": bstr}`.
 * The evidence's report data is SHA-256(claims) zero-padded to 64 bytes, and the extension value
 * is `tag([evidence, claims])`. Byte layout: docs/formats/ra-tls-certificate.md.
 */
import { createHash } from 'node:crypto';
import { encodeCbor } from '../attest/cose/cbor-encode.js';
import { CborTag, type CborMap } from '../attest/cose/cbor.js';
import { REPORT_DATA_SIZE } from '../common/platform-ops.js';

/** IANA Named Information id of SHA-256. */
const SHA256_ID = 1;

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** The claims buffer (the exact bytes the report data hashes). */
export function encodeClaims(spki: Uint8Array, nonce?: Uint8Array): Uint8Array {
  const claims: CborMap = new Map();
  claims.set('pubkey-hash', encodeCbor([SHA256_ID, sha256(spki)]));
  if (nonce !== undefined) claims.set('nonce', nonce);
  return encodeCbor(claims);
}

/** Report data for evidence over `claims`: SHA-256(claims) ‖ 32 zero bytes. */
export function claimsReportData(claims: Uint8Array): Uint8Array {
  const out = new Uint8Array(REPORT_DATA_SIZE);
  out.set(sha256(claims));
  return out;
}

/** The value of extension 2.23.133.5.4.9: `tag([evidence, claims])`. */
export function encodeTaggedEvidence(tag: number, evidence: Uint8Array, claims: Uint8Array): Uint8Array {
  return encodeCbor(new CborTag(tag, [evidence, claims]));
}
