/**
 * `secgear/enclave`: the trusted API. Import it from enclave code only; it is bundled into
 * the enclave image.
 */
export { defineEnclave, type EnclaveDefinition, type EcallTable, type EcallFunction } from './runtime/runtime.js';
export { ocall, useOcalls, random, identity, log, type Identity, type OcallProxies } from './api.js';
export { platformCall } from './runtime/platform-call.js';
export {
  seal,
  unseal,
  getSealedDataSize,
  getEncryptedTextSize,
  getAddTextSize,
  forgetSealingKeys,
  type SealOptions,
  type UnsealOptions,
  type Unsealed,
  type SealPolicy,
} from './seal.js';
export { getTargetInfo, getReport, verifyReport, type VerifiedReport } from './report.js';
export { getEvidence, evidenceEcall, type EvidenceOptions, type Evidence } from './evidence.js';
export { SecGearError, ErrorCode } from '../common/errors.js';
