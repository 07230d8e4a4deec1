/** `secgear/attest`: verify evidence from any TEE into one result shape. */
import './verifiers/index.js';

export { verifyEvidence, applyPolicy } from './verify.js';
export { registerVerifier, getVerifier, listVerifiers, detectFormat } from './registry.js';
export { EVIDENCE_MEDIA_TYPES, formatForMediaType } from './media-types.js';
export * from './collateral/index.js';
export { INTEL_SGX_ROOT_CA_DER } from './intel/intel-root-ca.js';
export type * from './types.js';
export { SecGearError, ErrorCode } from '../common/errors.js';
