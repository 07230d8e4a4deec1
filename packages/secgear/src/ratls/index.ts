/**
 * `secgear/ratls`: the client and verifier side of RA-TLS. `verifyPeer(certificate, policy)`
 * verifies an RA-TLS certificate from any TEE the unified verifier knows and returns the
 * enclave's normalized claims.
 */
import '../attest/verifiers/sim/host-root.js';
export { verifyPeer, createPeerVerifier, type PeerCertificate, type PeerVerifierOptions, type RaTlsPolicy, type RaTlsPeer } from './verify-peer.js';
export type { AttestationPolicy, PeerAttestation } from '../attest/peer-appraisal.js';
export { connect, type RaTlsConnectOptions, type RaTlsConnection } from './connect.js';
export { verifySessionEvidence, requestSessionEvidence, type SessionAttestation } from './client-session.js';
export { EXPORTER_LABEL } from './session-evidence.js';
export type { RaTlsKeyType } from './key-types.js';
// where the process itself runs in the TEE (a confidential VM) and gets its own evidence
export { issueRaTlsCredentials, type RaTlsCredentialOptions, type RaTlsCredentials, type RaTlsEvidenceProvider } from './issue-credentials.js';
export { RA_TLS_KEY_TYPES } from './key-types.js';
export { SecGearError, ErrorCode } from '../common/errors.js';
