/** Evidence inside X.509 certificates (RA-TLS): Gramine, Intel SGX SDK, TCG DICE, Nitro in a SAN. */
export { raTlsCertVerifier, verifyRaTlsCertificate } from './verifier.js';
export { extractRaTlsEvidence, quoteFormat, RA_TLS_OIDS } from './extract.js';
export type { EmbeddedEvidence, EvidenceSource, RaTlsCertificate } from './extract.js';
export { parseTaggedEvidence, INTEL_QUOTE_TAGS } from './tcg-evidence.js';
export type { TaggedEvidence } from './tcg-evidence.js';
export { checkBinding } from './binding.js';
