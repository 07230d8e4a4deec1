/**
 * `secgear/agent`: the attester and relying-party side of the attestation service. The agent
 * (`AttestationAgent`) turns a TEE's evidence into a cached, refreshed token (passport mode);
 * `requestChallenge` and `submitEvidence` are the two calls of the protocol for
 * background-check mode; `TokenVerifier` checks tokens with the service's JWKS.
 * This is host-side code: it talks HTTP, so it never runs inside an enclave; enclaves only
 * make evidence (`getEvidence` in `secgear/enclave`).
 */
export { AttestationAgent, type AttestationAgentOptions, type EvidenceProvider, type CachedToken } from './agent.js';
export { requestChallenge, submitEvidence, SESSION_COOKIE, type Challenge, type SubmitOptions, type WireOptions } from './wire.js';
export { TokenVerifier, TOKEN_ALGORITHMS, type TokenVerifierOptions, type TokenCheck, type VerifiedToken } from './token-verifier.js';
export type { Ear, EarSubmodule, TrustworthinessVector, NormalizedClaimsJson } from '../attest/ear.js';
