import type { EvidenceFormat } from '../../types.js';

/**
 * CBOR tags that name the evidence type inside a TCG DICE tagged-evidence extension
 * (2.23.133.5.4.9). 60000 is the Interoperable RA-TLS tag for Intel SGX/TDX quotes and 0x1a7501
 * the one rats-tls wrote; the `0x5347xxxx` tags are secGear's own for evidence no registry has
 * a tag for yet (docs/formats/ra-tls-certificate.md). Other frameworks do not know these.
 */
export const INTEL_QUOTE_TAGS = [60000, 0x1a7501];

export const SECGEAR_EVIDENCE_TAGS: Readonly<Record<Exclude<EvidenceFormat, 'sgx-dcap' | 'tdx' | 'ra-tls-cert'>, number>> = {
  sim: 0x53470001,
  'sev-snp': 0x53470002,
  nitro: 0x53470003,
  cca: 0x53470004,
  virtcca: 0x53470005,
};

/** The tag a writer uses for evidence of `format`. */
export function tagForFormat(format: EvidenceFormat): number {
  if (format === 'sgx-dcap' || format === 'tdx') return INTEL_QUOTE_TAGS[0];
  if (format === 'ra-tls-cert') throw new RangeError('an RA-TLS certificate is not evidence to embed in another');
  return SECGEAR_EVIDENCE_TAGS[format];
}

/** The format of a non-Intel tag, or null for a tag this reader does not know. */
export function formatForTag(tag: number): EvidenceFormat | null {
  for (const [format, t] of Object.entries(SECGEAR_EVIDENCE_TAGS)) if (t === tag) return format as EvidenceFormat;
  return null;
}
