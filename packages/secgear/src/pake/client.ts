/**
 * The device side of the device–cloud flow, transport-agnostic: it produces frames to send and
 * consumes frames received, and never touches a socket.
 *
 *   hello() ──HELLO──▶            ◀──PREAMBLE── receive(): verify evidence, derive w0/w1 ──HANDSHAKE(shareP)──▶
 *   ◀──HANDSHAKE(shareV, confirmV)── receive(): check confirmV ──HANDSHAKE(confirmP)──▶
 *   ◀──FINISHED── receive(): ready; then encrypt() ──DATA──▶  ◀──DATA── decrypt()
 */
import { randomBytes } from 'node:crypto';
import { bytesEqual, copyBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError, type ErrorCodeName } from '../common/errors.js';
// through the entry point, which registers every TEE verifier plug-in
import { BINDING_CHECK, verifyEvidence } from '../attest/index.js';
import type { VerificationResult, VerifyOptions } from '../attest/types.js';
import { attestedContext, preambleBinding } from './attested-context.js';
import { passwordBytes, toBytes, type BytesLike } from './encoding.js';
import { Prover } from './prover.js';
import { RecordLayer } from './record-layer.js';
import { deriveProverSecrets, resolveScryptParams, MIN_SALT_LENGTH, type ProverSecrets, type ScryptParams } from './registration.js';
import { decodeFrame, encodeFrame, NONCE_LENGTH, type PreambleFrame } from './service-frames.js';

export type PakeClientState = 'initial' | 'awaiting-preamble' | 'awaiting-verifier' | 'awaiting-finished' | 'ready' | 'failed' | 'closed';

/** States in which receive() takes a frame. */
const RECEIVING: readonly PakeClientState[] = ['awaiting-preamble', 'awaiting-verifier', 'awaiting-finished'];

export interface PakeClientOptions {
  /** This device's identity, as registered. */
  idProver: BytesLike;
  /** The password or pairing code; w0 and w1 are derived with the salt and scrypt parameters the enclave attests. */
  password: BytesLike;
  /** When given, the enclave's preamble must name this verifier identity. */
  idVerifier?: BytesLike;
  /**
   * How to appraise the enclave's evidence: options for `verifyEvidence` (trust anchors,
   * collateral, `allowSimulation`, and a `policy` that must name the expected measurements or
   * signers). The nonce is set by the client.
   */
  attestation: Omit<VerifyOptions, 'nonce' | 'reportData'>;
  /** Weakest scrypt parameters the device accepts from a preamble. Default N = 2^14, r = 8, p = 1. */
  minKdf?: Partial<ScryptParams>;
}

/** An ERROR frame from the service, or a refusal by this client. */
export class PakeServiceError extends SecGearError {
  /** For CC_ERROR_RATE_LIMITED: milliseconds until this identity may try again. */
  readonly retryAfterMs: number;
  constructor(code: ErrorCodeName, message: string, retryAfterMs = 0) {
    super(code, message);
    this.name = 'PakeServiceError';
    this.retryAfterMs = retryAfterMs;
  }
}

export class PakeClient {
  #state: PakeClientState = 'initial';
  readonly #idProver: Uint8Array;
  readonly #password: Uint8Array;
  readonly #idVerifier: Uint8Array | undefined;
  readonly #attestation: Omit<VerifyOptions, 'nonce' | 'reportData'>;
  readonly #minKdf: ScryptParams;
  #nonce: Uint8Array | undefined;
  #prover: Prover | undefined;
  #records: RecordLayer | undefined;
  /** A frame is being processed (receive awaits evidence verification and scrypt). */
  #busy = false;
  #attestationResult: VerificationResult | undefined;

  constructor(options: PakeClientOptions) {
    if (options === null || typeof options !== 'object') throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'PakeClient needs options');
    this.#idProver = copyBytes(toBytes(options.idProver, 'idProver'));
    this.#password = copyBytes(passwordBytes(options.password));
    if (this.#password.byteLength === 0) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'password must not be empty');
    this.#idVerifier = options.idVerifier === undefined ? undefined : copyBytes(toBytes(options.idVerifier, 'idVerifier'));
    const policy = options.attestation?.policy;
    if (!policy || !(policy.measurements?.length || policy.signers?.length)) {
      throw new SecGearError(
        ErrorCode.BAD_PARAMETERS,
        'attestation.policy must list the expected enclave measurements or signers; without them any enclave would be accepted',
      );
    }
    this.#attestation = options.attestation;
    this.#minKdf = resolveScryptParams({ N: 1 << 14, r: 8, p: 1, ...options.minKdf });
  }

  get state(): PakeClientState {
    return this.#state;
  }

  /** The appraisal of the enclave's evidence, once a preamble was checked (also when it was refused). */
  get attestationResult(): VerificationResult | undefined {
    return this.#attestationResult;
  }

  /** The first frame: this device's identity and a fresh nonce for the enclave's evidence. */
  hello(): Uint8Array {
    this.#expect('initial');
    this.#nonce = new Uint8Array(randomBytes(NONCE_LENGTH));
    this.#state = 'awaiting-preamble';
    return encodeFrame({ kind: 'HELLO', idProver: this.#idProver, nonce: this.#nonce });
  }

  /**
   * Consumes a frame from the service. Returns the frame to send next, or null once the session
   * is ready. Throws PakeServiceError for an ERROR frame, SecGearError for anything wrong.
   */
  async receive(bytes: Uint8Array): Promise<Uint8Array | null> {
    if (this.#busy) {
      // a second frame while the first is still being checked (evidence, scrypt): never run two
      this.#fail();
      throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'a frame arrived while the previous one was still being processed; deliver frames one at a time');
    }
    if (!RECEIVING.includes(this.#state)) this.#expect('awaiting-preamble');
    this.#busy = true;
    try {
      switch (this.#state) {
        case 'awaiting-preamble': {
          const frame = this.#decode(bytes, 'PREAMBLE');
          return await this.#onPreamble(frame as PreambleFrame);
        }
        case 'awaiting-verifier': {
          const frame = this.#decode(bytes, 'HANDSHAKE');
          if (frame.kind !== 'HANDSHAKE') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'expected HANDSHAKE');
          const { message, sharedKey } = this.#prover!.finish(frame.message);
          this.#records = new RecordLayer(sharedKey, 'prover');
          zeroize(sharedKey);
          this.#state = 'awaiting-finished';
          return encodeFrame({ kind: 'HANDSHAKE', message });
        }
        default: {
          this.#decode(bytes, 'FINISHED');
          this.#state = 'ready';
          return null;
        }
      }
    } catch (error) {
      this.#fail();
      throw error;
    } finally {
      this.#busy = false;
    }
  }

  /** Encrypts an application message into a DATA frame (session must be ready). */
  encrypt(data: Uint8Array): Uint8Array {
    return this.#whileReady(() => encodeFrame({ kind: 'DATA', record: this.#records!.encrypt(data) }));
  }

  /** Decrypts a DATA frame from the enclave. */
  decrypt(bytes: Uint8Array): Uint8Array {
    return this.#whileReady(() => {
      const frame = this.#decode(bytes, 'DATA');
      if (frame.kind !== 'DATA') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'expected DATA');
      return this.#records!.decrypt(frame.record);
    });
  }

  close(): void {
    if (this.#state !== 'failed') this.#state = 'closed';
    this.#wipe();
  }

  async #onPreamble(frame: PreambleFrame): Promise<Uint8Array> {
    if (this.#idVerifier && !bytesEqual(this.#idVerifier, frame.idVerifier)) {
      throw new SecGearError(ErrorCode.ACCESS_DENIED, 'the service presented another verifier identity than the expected one');
    }
    let kdf: ScryptParams;
    try {
      kdf = resolveScryptParams(frame.kdf);
    } catch (cause) {
      throw new SecGearError(ErrorCode.INVALID_MESSAGE, `the preamble's scrypt parameters are invalid: ${(cause as Error).message}`, { cause });
    }
    if (kdf.N < this.#minKdf.N || kdf.r < this.#minKdf.r || kdf.p < this.#minKdf.p) {
      throw new SecGearError(ErrorCode.ACCESS_DENIED, `the service asks for scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p}, weaker than this device accepts`);
    }
    if (frame.salt.byteLength < MIN_SALT_LENGTH) throw new SecGearError(ErrorCode.INVALID_MESSAGE, 'preamble salt too short');
    // the evidence must vouch for this preamble and this hello's nonce (secGear's one binding)
    const expected = preambleBinding({ suite: frame.suite, idProver: this.#idProver, idVerifier: frame.idVerifier, salt: frame.salt, kdf });
    const result = await verifyEvidence(frame.evidence, { ...this.#attestation, nonce: this.#nonce, reportData: expected });
    this.#expectStill('awaiting-preamble');
    this.#attestationResult = result;
    if (result.failure?.check === BINDING_CHECK) {
      throw new SecGearError(ErrorCode.INVALID_EVIDENCE, 'the evidence does not vouch for this preamble and nonce (report data differs): the parameters were changed on the way or the evidence is replayed');
    }
    if (!result.verified || result.appraisal.status !== 'affirming' || !result.claims) {
      throw new SecGearError(ErrorCode.INVALID_EVIDENCE, `the enclave's evidence was not accepted: ${result.appraisal.reasons.join('; ')}`);
    }
    const secrets: ProverSecrets = await deriveProverSecrets(this.#password, {
      idProver: this.#idProver,
      idVerifier: frame.idVerifier,
      salt: frame.salt,
      kdf,
      suite: frame.suite,
    });
    if (this.#state !== 'awaiting-preamble') {
      zeroize(secrets.w0);
      zeroize(secrets.w1);
      this.#expectStill('awaiting-preamble');
    }
    zeroize(this.#password); // not needed any more: w0 and w1 carry the handshake
    this.#prover = new Prover({ ...secrets, idProver: this.#idProver, idVerifier: frame.idVerifier, context: attestedContext(frame.evidence) });
    zeroize(secrets.w0);
    zeroize(secrets.w1);
    this.#state = 'awaiting-verifier';
    return encodeFrame({ kind: 'HANDSHAKE', message: this.#prover.start() });
  }

  #decode(bytes: Uint8Array, kind: 'PREAMBLE' | 'HANDSHAKE' | 'FINISHED' | 'DATA') {
    const frame = decodeFrame(bytes, [kind]);
    if (frame.kind === 'ERROR') throw new PakeServiceError(frame.code, `the service refused: ${frame.message}`, frame.retryAfterMs);
    return frame;
  }

  #expect(state: PakeClientState): void {
    if (this.#state !== state) {
      throw new SecGearError(ErrorCode.PROTOCOL_STATE, `PakeClient is "${this.#state}", this call needs "${state}"; start a new client for a new session`);
    }
  }

  /** After an await: close() or a refused frame may have ended the session meanwhile. */
  #expectStill(state: PakeClientState): void {
    if (this.#state !== state) {
      throw new SecGearError(ErrorCode.PROTOCOL_STATE, `PakeClient became "${this.#state}" while a frame was being processed; start a new client`);
    }
  }

  /** Runs `fn` on a ready session; any failure ends the session (as the record layer does). */
  #whileReady<T>(fn: () => T): T {
    this.#expect('ready');
    try {
      return fn();
    } catch (error) {
      this.#fail();
      throw error;
    }
  }

  #fail(): void {
    if (this.#state !== 'closed') this.#state = 'failed';
    this.#wipe();
  }

  #wipe(): void {
    this.#prover?.abort();
    this.#records?.close();
    zeroize(this.#password);
  }
}
