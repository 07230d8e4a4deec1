/**
 * The SPAKE2+ prover (the device, who knows the password) as an explicit state machine:
 *
 *   initial --start()--> awaiting-verifier --finish(message 2)--> complete
 *        any error, or abort() -----------------------------------> failed
 *
 * The shared key is returned only after the verifier's confirmation MAC has been checked.
 * An instance runs exactly one handshake: every call out of order throws CC_ERROR_PROTOCOL_STATE.
 */
import { copyBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { decodePoint, decodeScalar, encodePoint } from './encoding.js';
import { TEST_ONLY_EPHEMERAL, ephemeralScalar, type EphemeralOption } from './ephemeral.js';
import { HandshakeState, type HandshakeEnd } from './handshake-state.js';
import { decodeExpected, encodeMessage } from './messages.js';
import { proverSchedule } from './prover-schedule.js';
import { w0Keys, w1Key, type W0Keys } from './record-keys.js';
import { SecretScalar } from './scalar-mul.js';
import { computeShareP, proverPointsUpToSign } from './shares.js';
import { resolveSession, type ResolvedSession, type SessionOptions } from './session-options.js';
import { resolveSuite, type Suite, type SuiteName } from './suites.js';

export type ProverState = 'initial' | 'awaiting-verifier' | HandshakeEnd;

export interface ProverOptions extends SessionOptions, EphemeralOption {
  /** w0 from {@link deriveProverSecrets}. */
  w0: Uint8Array;
  /** w1 from {@link deriveProverSecrets}. */
  w1: Uint8Array;
  /** Ciphersuite of w0 and w1; P-256 when omitted. */
  suite?: Suite | SuiteName;
}

export interface ProverResult {
  /** Message 3 (confirmP), to send to the verifier. */
  message: Uint8Array;
  /** K_shared: the session key, confirmed by the verifier's MAC. */
  sharedKey: Uint8Array;
}

export class Prover {
  readonly suite: Suite;
  readonly #flow = new HandshakeState<'initial' | 'awaiting-verifier'>('Prover', 'initial', () => this.#wipe());
  readonly #session: ResolvedSession;
  #w0: W0Keys | undefined;
  #w1: SecretScalar | undefined;
  readonly #w0Bytes: Uint8Array;
  #x: SecretScalar | undefined;
  #shareP: Uint8Array | undefined;
  readonly #ephemeral: EphemeralOption;

  constructor(options: ProverOptions) {
    if (options === null || typeof options !== 'object') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'Prover needs an options object with { w0, w1 }');
    }
    this.suite = resolveSuite(options.suite);
    decodeScalar(this.suite, options.w0, 'w0');
    decodeScalar(this.suite, options.w1, 'w1');
    // kept with the caller's arrays (record-keys.ts): the next Prover for the same secrets reuses them
    this.#w0 = w0Keys(this.suite, options.w0);
    this.#w1 = w1Key(this.suite, options.w1);
    this.#w0Bytes = copyBytes(options.w0);
    this.#session = resolveSession(options);
    // only the test hook is kept, not the options object (which holds secrets)
    this.#ephemeral = { [TEST_ONLY_EPHEMERAL]: options[TEST_ONLY_EPHEMERAL] && copyBytes(options[TEST_ONLY_EPHEMERAL]) };
  }

  get state(): ProverState {
    return this.#flow.current;
  }

  /** Message 1: shareP = x*P + w0*M for a fresh x. */
  start(): Uint8Array {
    return this.#flow.step('initial', 'start', () => {
      const suite = this.suite;
      // held before use, so that a failure wipes it too
      this.#x = ephemeralScalar(suite, this.#ephemeral);
      this.#shareP = encodePoint(computeShareP(suite, this.#x, this.#w0!));
      this.#flow.advance('awaiting-verifier');
      return encodeMessage({ type: 'SHARE_P', suite, shareP: this.#shareP });
    });
  }

  /**
   * Processes message 2 (shareV, confirmV). Checks shareV, derives the keys, verifies confirmV in
   * constant time, and only then returns message 3 and the shared key. A wrong password surfaces
   * here as CC_ERROR_CONFIRMATION_FAILED.
   */
  finish(message: Uint8Array): ProverResult {
    return this.#flow.step('awaiting-verifier', 'finish', () => {
      const suite = this.suite;
      const { shareV, confirmV } = decodeExpected(message, 'SHARE_V', suite);
      const Y = decodePoint(suite, shareV, 'shareV');
      const points = proverPointsUpToSign(suite, { x: this.#x!, w0: this.#w0!, w1: this.#w1!, Y });
      const keys = proverSchedule(suite, { ...this.#session, shareP: this.#shareP!, shareV, w0: this.#w0Bytes }, points, confirmV);
      if (!keys) {
        throw new SecGearError(
          ErrorCode.CONFIRMATION_FAILED,
          'the verifier\'s key confirmation did not verify: wrong password, different identities or context, or a tampered message',
        );
      }
      const reply = encodeMessage({ type: 'CONFIRM_P', suite, confirmP: keys.confirmP });
      this.#flow.advance('complete');
      return { message: reply, sharedKey: keys.K_shared };
    });
  }

  /** Ends the handshake and overwrites what can be overwritten; the instance is then unusable. */
  abort(): void {
    this.#flow.abort();
  }

  #wipe(): void {
    // bigints cannot be overwritten in JavaScript; dropping the references is the best we can do.
    this.#x?.forget();
    this.#x = undefined;
    // w0's and w1's keys belong to the caller's arrays (record-keys.ts); this instance lets go of them
    this.#w0 = undefined;
    this.#w1 = undefined;
    zeroize(this.#w0Bytes);
  }
}
