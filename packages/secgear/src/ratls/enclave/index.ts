/**
 * `secgear/ratls/enclave`: the trusted side of RA-TLS. Import it from enclave code only.
 */
export { createRaTlsCredentials } from './credentials.js';
export type { RaTlsCredentialOptions, RaTlsCredentials, RaTlsEvidence } from '../issue-credentials.js';
export type { RaTlsKeyType } from '../key-types.js';
