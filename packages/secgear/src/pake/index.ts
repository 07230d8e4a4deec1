/**
 * `secgear/pake`: SPAKE2+ (RFC 9383), an augmented PAKE. A device that knows a password and a
 * service that stores only a verifier record (w0, L) agree on a confirmed shared key.
 *
 * ```ts
 * const salt = randomSalt();
 * const secrets = await deriveProverSecrets(password, { idProver, idVerifier, salt });
 * const record = computeVerifierRecord(secrets.w0, secrets.w1);           // stored by the service
 * const prover = new Prover({ ...secrets, idProver, idVerifier, context });
 * const verifier = new Verifier({ record, idProver, idVerifier, context });
 * const m2 = verifier.respond(prover.start());
 * const { message: m3, sharedKey } = prover.finish(m2);
 * const { sharedKey: same } = verifier.finish(m3);
 * ```
 */
export { P256_SHA256, P384_SHA256, SUITES, resolveSuite, type Suite, type SuiteName } from './suites.js';
export type { BytesLike } from './encoding.js';
export {
  DEFAULT_SCRYPT,
  MIN_SALT_LENGTH,
  resolveScryptParams,
  computeVerifierRecord,
  deriveProverSecrets,
  randomSalt,
  type DeriveOptions,
  type ProverSecrets,
  type ScryptParams,
  type VerifierRecord,
} from './registration.js';
export type { SessionOptions } from './session-options.js';
export { Prover, type ProverOptions, type ProverResult, type ProverState } from './prover.js';
export { Verifier, type VerifierOptions, type VerifierResult, type VerifierState } from './verifier.js';
export {
  MESSAGE_VERSION,
  MessageType,
  decodeMessage,
  encodeMessage,
  messageLength,
  type ConfirmP,
  type MessageTypeName,
  type PakeMessage,
  type ShareP,
  type ShareV,
} from './messages.js';
export { RecordLayer, MAX_RECORD_PLAINTEXT, MAX_RECORDS, type RecordRole, type RecordLayerState } from './record-layer.js';
export { GuessLimiter, type GuessLimitOptions, type GuessDecision } from './guess-limiter.js';
export { PakeClient, PakeServiceError, type PakeClientOptions, type PakeClientState } from './client.js';
export { attestedContext, preambleBinding, type PreambleParams } from './attested-context.js';
export { createRegistration, encodeRegistration, decodeRegistration, type Registration } from './stored-record.js';
export {
  FrameKind,
  MAX_FRAME_LENGTH,
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameKindName,
  type HelloFrame,
  type PreambleFrame,
  type HandshakeFrame,
  type FinishedFrame,
  type DataFrame,
  type ErrorFrame,
} from './service-frames.js';
export { signRegistration, loadProvisioningKey, type ProvisioningPublicKey } from './registration-auth.js';
export { FramedStream, type FramedStreamOptions } from '../records/framed-stream.js';
