/**
 * `secgear/attest/enclave`: evidence verification that enclave code can bundle. The same
 * `verifyEvidence` and built-in verifiers as `secgear/attest`, without what reads files or the
 * network (this machine's sim root, collateral loaders and fetchers): code verifying inside an
 * enclave passes its sim roots and other anchors as `trustAnchors`, and any collateral as bytes.
 * Give it its own `new VerifierRegistry(builtInVerifiers)`.
 */
export { builtInVerifiers } from './verifiers/index.js';
export { verifyEvidence, applyPolicy } from './verify.js';
export { VerifierRegistry } from './registry.js';
export { evidenceBinding, checkEvidenceBinding, reportDataBinds, BINDING_CHECK, EVIDENCE_BINDING_DOMAIN, EVIDENCE_BINDING_SIZE } from './evidence-binding.js';
export type { EvidenceBindingInput } from './evidence-binding.js';
export { parseNitroDocument, type NitroDocument } from './verifiers/nitro/document.js';
export { EVIDENCE_MEDIA_TYPES, formatForMediaType } from './media-types.js';
export type * from './types.js';
