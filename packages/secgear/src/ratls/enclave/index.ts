/**
 * `secgear/ratls/enclave`: the trusted side of RA-TLS. Import it from enclave code only.
 *
 *   const credentials = await createRaTlsCredentials({ keyType: 'p256' });
 *   const server = createRaTlsServer({ credentials, onConnection: ({ socket }) => socket.pipe(socket) });
 *   defineEnclave({ ecalls: { ...server.ecalls } });
 */
export { createRaTlsCredentials } from './credentials.js';
export { createRaTlsServer, RaTlsServer, type RaTlsServerOptions, type RaTlsConnection } from './server.js';
export { connectRaTls, type EnclaveConnectOptions } from './connect.js';
export { streams as raTlsStreams, type RaTlsRelayEcalls } from './stream-table.js';
export { verifyPeer, type RaTlsPolicy, type RaTlsPeer } from '../verify-peer.js';
export { requestSessionEvidence, verifySessionEvidence, type SessionAttestation } from '../client-session.js';
export { answerSessionEvidenceRequest } from './session-answer.js';
export type { RaTlsCredentialOptions, RaTlsCredentials, RaTlsEvidence } from '../issue-credentials.js';
export type { RaTlsKeyType } from '../key-types.js';
