/**
 * The enclave as SPAKE2+ verifier for many devices (trusted side; frames in
 * docs/formats/pake-service.md). Registrations are sealed (signer policy) and stored by the
 * host; a handshake runs entirely inside the enclave; K_shared never leaves it and keys the
 * record layer whose plaintext only `onMessage` sees. Failed attempts per identity are limited,
 * and that state is sealed too, so restarting the enclave does not reset it.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { concatBytes, copyBytes, isBytes, toHex, zeroize } from '../../common/bytes.js';
import { ErrorCode, SecGearError, isSecGearError, type ErrorCodeName } from '../../common/errors.js';
import { getEvidence as platformEvidence } from '../../enclave/evidence.js';
import { seal as platformSeal, unseal as platformUnseal } from '../../enclave/seal.js';
import { attestedContext, preambleBinding } from '../attested-context.js';
import { toBytes, type BytesLike } from '../encoding.js';
import { GuessLimiter, type GuessLimitOptions } from '../guess-limiter.js';
import { RecordLayer } from '../record-layer.js';
import { loadProvisioningKey, verifyRegistrationSignature, type ProvisioningPublicKey } from '../registration-auth.js';
import { DEFAULT_SCRYPT, resolveScryptParams, type ScryptParams } from '../registration.js';
import { decodeFrame, encodeFrame, type Frame } from '../service-frames.js';
import { decodeRegistration, encodeRegistration, type Registration } from '../stored-record.js';
import { resolveSuite, type Suite, type SuiteName } from '../suites.js';
import { Verifier } from '../verifier.js';
import { dummyRegistration } from './dummy-registration.js';
import { ocallStore, type PakeStore } from './store.js';

export interface PakeSessionInfo {
  idProver: Uint8Array;
  sessionId: string;
}

export interface PakeServiceOptions {
  /** This service's identity (in every transcript; devices may pin it). */
  idVerifier: BytesLike;
  /** Runs inside the enclave for each decrypted application message; its result is sent back encrypted. */
  onMessage: (session: PakeSessionInfo, data: Uint8Array) => Uint8Array | void | Promise<Uint8Array | void>;
  /**
   * Public key (PEM SPKI or JWK, ECDSA P-256/P-384) of whoever provisions devices. When set,
   * `register` accepts only registrations signed with the matching private key
   * (`signRegistration`), so the untrusted host cannot register identities or replace a
   * password. Without it, whoever can make ecalls (the host) can register: acceptable only where
   * the host is trusted while devices are provisioned.
   */
  registrationKey?: ProvisioningPublicKey;
  /** Online-guessing limits per identity. */
  limits?: GuessLimitOptions;
  /** Sessions open at once (handshaking or established). Default 64. */
  maxSessions?: number;
  /** A handshake must complete within this time. Default 30 000 ms. */
  handshakeTimeoutMs?: number;
  /** An established session idle this long is dropped. Default 600 000 ms. */
  idleTimeoutMs?: number;
  /** Suite and scrypt parameters shown for identities that are not registered. Default P-256, RFC defaults. */
  unknownIdentity?: { suite?: Suite | SuiteName; kdf?: Partial<ScryptParams> };
  /** Sealed-blob storage. Default: the host's pakeStoreLoad / pakeStoreSave ocalls. */
  store?: PakeStore;
  /** Clock in ms since the epoch (the host's clock: a TEE has no trusted time). Default Date.now. */
  now?: () => number;
}

/** What `pakeReceive` returns to the host: the frame to send back, and whether the session ended. */
export interface PakeReceiveResult {
  sessionId: string | null;
  frame: Uint8Array | null;
  closed: boolean;
}

type Phase = 'awaiting-share' | 'awaiting-confirmation' | 'ready';

interface Session {
  id: string;
  idProver: Uint8Array;
  key: string;
  verifier: Verifier;
  phase: Phase;
  records: RecordLayer | undefined;
  deadline: number;
  busy: boolean;
}

const RECORD_AAD = new TextEncoder().encode('secgear pake registration v1\0');
const LIMITS_AAD = new TextEncoder().encode('secgear pake limits v1\0');
const LIMITS_NAME = 'limits';
const MAX_ID_PROVER = 128;

export class PakeVerifierService {
  readonly #idVerifier: Uint8Array;
  readonly #onMessage: PakeServiceOptions['onMessage'];
  readonly #limiter: GuessLimiter;
  readonly #store: PakeStore;
  readonly #now: () => number;
  readonly #maxSessions: number;
  readonly #handshakeTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #unknownSuite: Suite;
  readonly #unknownKdf: ScryptParams;
  readonly #dummySecret = new Uint8Array(randomBytes(32));
  readonly #registrationKey: KeyObject | undefined;
  readonly #sessions = new Map<string, Session>();
  #limitsLoaded: Promise<void> | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(options: PakeServiceOptions) {
    if (!options || typeof options.onMessage !== 'function') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'the PAKE service needs { idVerifier, onMessage }');
    }
    this.#idVerifier = copyBytes(toBytes(options.idVerifier, 'idVerifier'));
    if (this.#idVerifier.byteLength === 0) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'idVerifier must not be empty');
    this.#onMessage = options.onMessage;
    this.#limiter = new GuessLimiter(options.limits);
    this.#store = options.store ?? ocallStore;
    this.#now = options.now ?? Date.now;
    this.#maxSessions = options.maxSessions ?? 64;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 30_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 600_000;
    this.#unknownSuite = resolveSuite(options.unknownIdentity?.suite);
    this.#unknownKdf = resolveScryptParams(options.unknownIdentity?.kdf ?? DEFAULT_SCRYPT);
    this.#registrationKey = options.registrationKey === undefined ? undefined : loadProvisioningKey(options.registrationKey);
  }

  /** The ecall table to spread into `defineEnclave({ ecalls })`. */
  get ecalls() {
    return {
      pakeRegister: (idProver: Uint8Array, registration: Uint8Array, signature?: Uint8Array) =>
        this.register(idProver, decodeRegistration(registration), signature),
      pakeReceive: (sessionId: string | null, frame: Uint8Array) => this.receive(sessionId, frame),
      pakeClose: (sessionId: string) => this.close(sessionId),
    };
  }

  /** Number of open sessions. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * Stores (or replaces) the registration of `idProver`, sealed with the signer policy so later
   * versions of this enclave can read it. Anyone who sees the registration (w0, L) can run an
   * offline dictionary attack, and as an ecall argument it passes through the host: register
   * while the host is trusted (docs/formats/pake-service.md, Registration). With a
   * `registrationKey`, `signature` (from `signRegistration`) is required.
   */
  async register(idProver: BytesLike, registration: Registration, signature?: Uint8Array): Promise<void> {
    const id = checkIdProver(toBytes(idProver, 'idProver'));
    const encoded = encodeRegistration(registration); // checks it completely
    if (this.#registrationKey && !verifyRegistrationSignature(this.#registrationKey, id, encoded, signature)) {
      throw new SecGearError(ErrorCode.ACCESS_DENIED, 'registration refused: it is not signed by the provisioning key this enclave trusts');
    }
    await this.#loadLimits();
    const blob = await platformSeal(encoded, { policy: 'signer', aad: concatBytes(RECORD_AAD, id) });
    zeroize(encoded);
    await this.#store.save(recordName(id), blob);
    this.#limiter.recordSuccess(toHex(id)); // a new password starts with a clean slate
    await this.#persistLimits();
  }

  /**
   * One frame in, at most one frame out. `sessionId` is null for a HELLO (a new session); the
   * returned id names the session for the following frames. Failures come back as ERROR frames
   * (and end the session) rather than as exceptions, so the host can relay them.
   */
  async receive(sessionId: string | null, bytes: Uint8Array): Promise<PakeReceiveResult> {
    this.#expire();
    if (sessionId === null || sessionId === undefined) return this.#hello(bytes);
    const session = typeof sessionId === 'string' ? this.#sessions.get(sessionId) : undefined;
    if (!session) return errorResult(null, ErrorCode.PROTOCOL_STATE, 'unknown or expired session; start again with HELLO');
    if (session.busy) return this.#abort(session, ErrorCode.PROTOCOL_STATE, 'frames of one session must not overlap');
    session.busy = true;
    try {
      const frame = await this.#step(session, bytes);
      session.deadline = this.#now() + (session.phase === 'ready' ? this.#idleTimeoutMs : this.#handshakeTimeoutMs);
      return { sessionId: session.id, frame, closed: false };
    } catch (error) {
      const [code, message] = describe(error);
      return this.#abort(session, code, message);
    } finally {
      session.busy = false;
    }
  }

  /** Ends a session (the device went away); its keys are overwritten. */
  close(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (session) this.#drop(session);
  }

  async #hello(bytes: Uint8Array): Promise<PakeReceiveResult> {
    try {
      const frame = decodeFrame(bytes, ['HELLO']);
      if (frame.kind !== 'HELLO') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'a session starts with HELLO');
      const idProver = checkIdProver(frame.idProver, ErrorCode.INVALID_MESSAGE);
      if (this.#sessions.size >= this.#maxSessions) {
        return errorResult(null, ErrorCode.RATE_LIMITED, 'too many sessions open; try again shortly', 1000);
      }
      await this.#loadLimits();
      const key = toHex(idProver);
      const decision = this.#limiter.check(key, this.#now());
      if (!decision.allowed) return errorResult(null, ErrorCode.RATE_LIMITED, 'too many failed attempts for this identity', decision.retryAfterMs);
      const registration = (await this.#loadRegistration(idProver)) ?? dummyRegistration(this.#dummySecret, this.#unknownSuite, idProver, this.#unknownKdf);
      const suite = resolveSuite(registration.record.suite);
      const params = { suite, idProver, idVerifier: this.#idVerifier, salt: registration.salt, kdf: registration.kdf };
      const evidence = await platformEvidence({ nonce: frame.nonce, reportData: preambleBinding(params) });
      const verifier = new Verifier({ record: registration.record, idProver, idVerifier: this.#idVerifier, context: attestedContext(evidence) });
      zeroize(registration.record.w0);
      const id = toHex(new Uint8Array(randomBytes(16)));
      this.#sessions.set(id, { id, idProver, key, verifier, phase: 'awaiting-share', records: undefined, deadline: this.#now() + this.#handshakeTimeoutMs, busy: false });
      const preamble = encodeFrame({ kind: 'PREAMBLE', ...params, evidence: { mediaType: evidence.mediaType, data: evidence.data } });
      return { sessionId: id, frame: preamble, closed: false };
    } catch (error) {
      const [code, message] = describe(error);
      return errorResult(null, code, message);
    }
  }

  async #step(session: Session, bytes: Uint8Array): Promise<Uint8Array | null> {
    switch (session.phase) {
      case 'awaiting-share': {
        const frame = handshake(decodeFrame(bytes, ['HANDSHAKE']));
        const decision = this.#limiter.check(session.key, this.#now());
        if (!decision.allowed) throw new SecGearError(ErrorCode.RATE_LIMITED, 'too many failed attempts for this identity');
        // Counted before confirmV leaves the enclave (it lets the peer test a guess), and
        // persisted first, so neither a crash nor a restart forgets the attempt.
        this.#limiter.recordAttempt(session.key, this.#now());
        await this.#persistLimits();
        const reply = session.verifier.respond(frame);
        session.phase = 'awaiting-confirmation';
        return encodeFrame({ kind: 'HANDSHAKE', message: reply });
      }
      case 'awaiting-confirmation': {
        const frame = handshake(decodeFrame(bytes, ['HANDSHAKE']));
        const { sharedKey } = session.verifier.finish(frame);
        session.records = new RecordLayer(sharedKey, 'verifier');
        zeroize(sharedKey);
        session.phase = 'ready';
        this.#limiter.recordSuccess(session.key);
        await this.#persistLimits();
        return encodeFrame({ kind: 'FINISHED' });
      }
      case 'ready': {
        const frame = decodeFrame(bytes, ['DATA']);
        if (frame.kind !== 'DATA') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'expected DATA');
        const data = session.records!.decrypt(frame.record);
        const reply = await this.#onMessage({ idProver: session.idProver.slice(), sessionId: session.id }, data);
        if (reply === undefined) return null;
        if (!isBytes(reply)) throw new SecGearError(ErrorCode.GENERIC, 'onMessage must return a Uint8Array or nothing');
        return encodeFrame({ kind: 'DATA', record: session.records!.encrypt(reply) });
      }
    }
  }

  async #loadRegistration(idProver: Uint8Array): Promise<Registration | null> {
    const blob = await this.#store.load(recordName(idProver));
    if (!blob) return null;
    const { data } = await platformUnseal(blob, { aad: concatBytes(RECORD_AAD, idProver) });
    try {
      return decodeRegistration(data);
    } finally {
      zeroize(data);
    }
  }

  #loadLimits(): Promise<void> {
    this.#limitsLoaded ??= (async () => {
      const blob = await this.#store.load(LIMITS_NAME);
      if (!blob) return;
      const { data } = await platformUnseal(blob, { aad: LIMITS_AAD });
      this.#limiter.restore(data);
    })();
    // a failed load is retried on the next call, and nothing is served meanwhile (fail closed)
    this.#limitsLoaded.catch(() => (this.#limitsLoaded = undefined));
    return this.#limitsLoaded;
  }

  /** Seals and stores the limiter state; saves are queued so they land in order. */
  #persistLimits(): Promise<void> {
    const next = this.#saving.then(async () => {
      const blob = await platformSeal(this.#limiter.serialize(), { policy: 'signer', aad: LIMITS_AAD });
      await this.#store.save(LIMITS_NAME, blob);
    });
    this.#saving = next.catch(() => undefined);
    return next;
  }

  #abort(session: Session, code: ErrorCodeName, message: string): PakeReceiveResult {
    this.#drop(session);
    return errorResult(session.id, code, message);
  }

  #drop(session: Session): void {
    this.#sessions.delete(session.id);
    session.verifier.abort();
    session.records?.close();
  }

  #expire(): void {
    const now = this.#now();
    for (const session of this.#sessions.values()) if (session.deadline <= now && !session.busy) this.#drop(session);
  }
}

/** Creates the enclave-side service; spread `service.ecalls` into `defineEnclave({ ecalls })`. */
export function createPakeService(options: PakeServiceOptions): PakeVerifierService {
  return new PakeVerifierService(options);
}

function handshake(frame: Frame): Uint8Array {
  if (frame.kind !== 'HANDSHAKE') throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'expected HANDSHAKE');
  return frame.message;
}

/** `code`: BAD_PARAMETERS for an ecall argument, INVALID_MESSAGE for a device's HELLO. */
function checkIdProver(id: Uint8Array, code: ErrorCodeName = ErrorCode.BAD_PARAMETERS): Uint8Array {
  if (id.byteLength === 0 || id.byteLength > MAX_ID_PROVER) {
    throw new SecGearError(code, `idProver must be 1 to ${MAX_ID_PROVER} bytes`);
  }
  return copyBytes(id);
}

function recordName(idProver: Uint8Array): string {
  return `record-${toHex(idProver)}`;
}

function errorResult(sessionId: string | null, code: ErrorCodeName, message: string, retryAfterMs = 0): PakeReceiveResult {
  return { sessionId, frame: encodeFrame({ kind: 'ERROR', code, retryAfterMs: Math.ceil(retryAfterMs), message }), closed: true };
}

/** Error code and a message safe to show the device (no internal detail beyond the SecGearError text). */
function describe(error: unknown): [ErrorCodeName, string] {
  if (isSecGearError(error)) return [error.code, error.message];
  return [ErrorCode.GENERIC, 'internal error in the PAKE service'];
}
