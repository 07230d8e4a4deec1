import { ErrorCode, SecGearError } from '../../../common/errors.js';
import { certificatesFrom } from '../../pki/chain.js';
import { certificateParts, subjectAltDnsNames } from '../../pki/extensions.js';
import { detectFormat } from '../../registry.js';
import type { EvidenceFormat } from '../../types.js';
import { formatForTag, INTEL_QUOTE_TAGS } from './evidence-tags.js';
import { parseSecGearExtension, SECGEAR_EVIDENCE_OID } from './secgear-extension.js';
import { parseTaggedEvidence, type TaggedEvidence } from './tcg-evidence.js';

/**
 * Finds TEE evidence inside an RA-TLS certificate:
 * - Gramine legacy extension 1.2.840.113741.1337.6 (Gramine's encoder wrote the OID's own tag
 *   and length into its value, so it reads as 0.6.9.42.840.113741.1337.6): a raw SGX quote;
 * - Intel SGX SDK extension 1.2.840.113741.1.13.1: a raw SGX quote;
 * - TCG DICE tagged evidence 2.23.133.5.4.9: `tag([evidence, claims])`, tag 60000 (Intel
 *   quote) or one of secGear's tags for sim, SEV-SNP, Nitro, CCA and virtCCA evidence;
 * - secGear's JSON extension 1.3.6.1.4.1.2011.2.8: `{"challenge", "quote"}`;
 * - AWS Nitro document hex-encoded as the first label of a DNS subjectAltName (Evervault Cages).
 */
export const RA_TLS_OIDS = {
  gramineLegacy: '1.2.840.113741.1337.6',
  gramineLegacyMisencoded: '0.6.9.42.840.113741.1337.6',
  intelSgxSdk: '1.2.840.113741.1.13.1',
  tcgTaggedEvidence: '2.23.133.5.4.9',
  secGearEvidence: SECGEAR_EVIDENCE_OID,
  subjectAltName: '2.5.29.17',
} as const;

/** Where in the certificate a piece of evidence was found (prefixes its check names). */
export type EvidenceSource = 'gramine-legacy' | 'sgx-sdk' | 'tcg-dice' | 'secgear-json' | 'nitro-san';

/** One piece of evidence found in an RA-TLS certificate, with the format that verifies it. */
export interface EmbeddedEvidence {
  source: EvidenceSource;
  format: EvidenceFormat;
  data: Uint8Array;
  /** For TCG tagged evidence: the claims the quote's report data hashes. */
  tagged: TaggedEvidence | null;
  /** For secGear's JSON extension: the challenge, which names the key's SHA-256 at bytes 32..64. */
  challenge: Uint8Array | null;
}

/** An RA-TLS certificate taken apart: the leaf, its public key and the evidence it carries. */
export interface RaTlsCertificate {
  /** The leaf certificate (DER): the first in a PEM bundle. */
  der: Uint8Array;
  /** Further certificates of a PEM bundle (a CA-issued leaf's issuer, for example). */
  bundle: Uint8Array[];
  spki: Uint8Array;
  evidence: EmbeddedEvidence[];
}

function bad(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `RA-TLS certificate: ${message}`);
}

/** SGX quotes are version 3, or versions 4/5 with TEE type 0; TDX quotes are 4/5 with TEE type 0x81. */
export function quoteFormat(quote: Uint8Array): EvidenceFormat {
  if (quote.byteLength < 48) bad(`embedded quote is only ${quote.byteLength} bytes`);
  const version = quote[0] | (quote[1] << 8);
  const teeType = quote[4] | (quote[5] << 8) | (quote[6] << 16) | (quote[7] << 24);
  if (version === 3) return 'sgx-dcap';
  if ((version === 4 || version === 5) && teeType === 0) return 'sgx-dcap';
  if ((version === 4 || version === 5) && teeType === 0x81) return 'tdx';
  return bad(`embedded quote version ${version} with TEE type 0x${teeType.toString(16)} is not an Intel SGX or TDX quote`);
}

const HEX = /^(?:[0-9a-f]{2})+$/i;

function nitroFromSan(value: Uint8Array): Uint8Array | null {
  let best: string | null = null;
  for (const name of subjectAltDnsNames(value)) {
    const label = name.split('.')[0];
    if (label.length >= 200 && HEX.test(label) && (best === null || label.length > best.length)) best = label;
  }
  if (!best) return null;
  const bytes = new Uint8Array(Buffer.from(best, 'hex'));
  return bytes[0] === 0x84 || (bytes[0] === 0xd2 && bytes[1] === 0x84) ? bytes : null;
}

/**
 * Parses an RA-TLS certificate (PEM, possibly a bundle, or DER) and lists the evidence it
 * embeds; nothing is verified (that is `verifyEvidence` with format `ra-tls-cert`). Throws
 * `CC_ERROR_INVALID_EVIDENCE`.
 */
export function extractRaTlsEvidence(input: Uint8Array): RaTlsCertificate {
  const ders = certificatesFrom(input);
  if (ders.length === 0) bad('no certificate found (expected PEM or DER)');
  const [der, ...bundle] = ders;
  const parts = certificateParts(der);
  const evidence: EmbeddedEvidence[] = [];
  for (const ext of parts.extensions) {
    if (ext.oid === RA_TLS_OIDS.gramineLegacy || ext.oid === RA_TLS_OIDS.gramineLegacyMisencoded) {
      evidence.push({ source: 'gramine-legacy', format: quoteFormat(ext.value), data: ext.value, tagged: null, challenge: null });
    } else if (ext.oid === RA_TLS_OIDS.intelSgxSdk) {
      evidence.push({ source: 'sgx-sdk', format: quoteFormat(ext.value), data: ext.value, tagged: null, challenge: null });
    } else if (ext.oid === RA_TLS_OIDS.tcgTaggedEvidence) {
      const tagged = parseTaggedEvidence(ext.value);
      const format = INTEL_QUOTE_TAGS.includes(tagged.tag) ? quoteFormat(tagged.evidence) : formatForTag(tagged.tag);
      if (!format) bad(`TCG tagged evidence with tag ${tagged.tag} is not a supported evidence type`);
      evidence.push({ source: 'tcg-dice', format, data: tagged.evidence, tagged, challenge: null });
    } else if (ext.oid === RA_TLS_OIDS.secGearEvidence) {
      const parsed = parseSecGearExtension(ext.value);
      if (!parsed.evidence) bad('the secGear extension\'s quote is attestation-agent text, not evidence bytes; verify it with secGear\'s attestation service');
      const format = detectFormat(parsed.evidence);
      if (!format || format === 'ra-tls-cert') bad('the secGear extension\'s quote is in no evidence format this verifier reads');
      evidence.push({ source: 'secgear-json', format, data: parsed.evidence, tagged: null, challenge: parsed.challenge });
    } else if (ext.oid === RA_TLS_OIDS.subjectAltName) {
      const doc = nitroFromSan(ext.value);
      if (doc) evidence.push({ source: 'nitro-san', format: 'nitro', data: doc, tagged: null, challenge: null });
    }
  }
  return { der, bundle, spki: parts.spki, evidence };
}
