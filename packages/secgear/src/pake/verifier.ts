/**
 * The SPAKE2+ verifier (the service, which holds only the record w0, L) as an explicit state machine:
 *
 *   initial --respond(message 1)--> awaiting-confirmation --finish(message 3)--> complete
 *        any error, or abort() ----------------------------------------------> failed
 *
 * The shared key is returned only after the prover's confirmation MAC has been checked
 * (RFC 9383 §3.3: no application data before that). One instance runs one handshake.
 */
import { constantTimeEqual, copyBytes, zeroize } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { decodePoint, decodeScalar, encodePoint } from './encoding.js';
import { TEST_ONLY_EPHEMERAL, ephemeralScalar, type EphemeralOption } from './ephemeral.js';
import { keySchedule, wipeSchedule } from './key-schedule.js';
import { HandshakeState, type HandshakeEnd } from './handshake-state.js';
import { decodeExpected, encodeMessage } from './messages.js';
import type { VerifierRecord } from './registration.js';
import { lPoints, w0Keys, type LPoints, type W0Keys } from './record-keys.js';
import { verifierPoints } from './shares.js';
import { resolveSession, type ResolvedSession, type SessionOptions } from './session-options.js';
import { resolveSuite, type Suite } from './suites.js';

export type VerifierState = 'initial' | 'awaiting-confirmation' | HandshakeEnd;

export interface VerifierOptions extends SessionOptions, EphemeralOption {
  /** The prover's record from {@link computeVerifierRecord}. */
  record: VerifierRecord;
}

export interface VerifierResult {
  /** K_shared: the session key, confirmed by the prover's MAC. */
  sharedKey: Uint8Array;
}

export class Verifier {
  readonly suite: Suite;
  readonly #flow = new HandshakeState<'initial' | 'awaiting-confirmation'>('Verifier', 'initial', () => this.#wipe());
  readonly #session: ResolvedSession;
  #w0: W0Keys | undefined;
  readonly #w0Bytes: Uint8Array;
  #L: LPoints | undefined;
  readonly #ephemeral: EphemeralOption;
  #expectedConfirmP: Uint8Array | undefined;
  #sharedKey: Uint8Array | undefined;

  constructor(options: VerifierOptions) {
    if (options === null || typeof options !== 'object' || options.record === null || typeof options.record !== 'object') {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'Verifier needs an options object with { record: { suite, w0, L } }');
    }
    const { record } = options;
    this.suite = resolveSuite(record.suite);
    decodeScalar(this.suite, record.w0, 'record.w0');
    // kept with the record's arrays (record-keys.ts): w0*M, w0*N and L's points are computed once
    this.#w0 = w0Keys(this.suite, record.w0);
    this.#L = lPoints(this.suite, record.L);
    this.#w0Bytes = copyBytes(record.w0);
    this.#session = resolveSession(options);
    // only the test hook is kept, not the options object (which holds secrets)
    this.#ephemeral = { [TEST_ONLY_EPHEMERAL]: options[TEST_ONLY_EPHEMERAL] && copyBytes(options[TEST_ONLY_EPHEMERAL]) };
  }

  get state(): VerifierState {
    return this.#flow.current;
  }

  /** Processes message 1 (shareP) and returns message 2 (shareV, confirmV). */
  respond(message: Uint8Array): Uint8Array {
    return this.#flow.step('initial', 'respond', () => {
      const suite = this.suite;
      const { shareP } = decodeExpected(message, 'SHARE_P', suite);
      const X = decodePoint(suite, shareP, 'shareP');
      const y = ephemeralScalar(suite, this.#ephemeral);
      let points;
      try {
        points = verifierPoints(suite, { y, w0: this.#w0!, L: this.#L!, X });
      } finally {
        y.forget();
      }
      const { Z, V } = points;
      const shareV = encodePoint(points.shareV);
      const schedule = keySchedule(suite, {
        ...this.#session,
        shareP,
        shareV,
        Z: encodePoint(Z),
        V: encodePoint(V),
        w0: this.#w0Bytes,
      });
      // kept until finish(); #wipe overwrites both if the handshake ends any other way
      this.#expectedConfirmP = schedule.confirmP;
      this.#sharedKey = schedule.K_shared;
      wipeSchedule(schedule);
      this.#flow.advance('awaiting-confirmation');
      return encodeMessage({ type: 'SHARE_V', suite, shareV, confirmV: schedule.confirmV });
    });
  }

  /**
   * Processes message 3 (confirmP): verifies it in constant time and only then returns the shared
   * key. A wrong password surfaces here as CC_ERROR_CONFIRMATION_FAILED.
   */
  finish(message: Uint8Array): VerifierResult {
    return this.#flow.step('awaiting-confirmation', 'finish', () => {
      const { confirmP } = decodeExpected(message, 'CONFIRM_P', this.suite);
      if (!constantTimeEqual(this.#expectedConfirmP!, confirmP)) {
        throw new SecGearError(
          ErrorCode.CONFIRMATION_FAILED,
          'the prover\'s key confirmation did not verify: wrong password, different identities or context, or a tampered message',
        );
      }
      const sharedKey = this.#sharedKey!;
      this.#sharedKey = undefined; // handed out: the caller owns it now
      this.#flow.advance('complete');
      return { sharedKey };
    });
  }

  /** Ends the handshake and overwrites what can be overwritten; the instance is then unusable. */
  abort(): void {
    this.#flow.abort();
  }

  #wipe(): void {
    if (this.#expectedConfirmP) zeroize(this.#expectedConfirmP);
    if (this.#sharedKey) zeroize(this.#sharedKey);
    this.#expectedConfirmP = undefined;
    this.#sharedKey = undefined;
    zeroize(this.#w0Bytes);
    // w0's keys and L belong to the caller's record (record-keys.ts); this instance lets go of them
    this.#w0 = undefined;
    this.#L = undefined;
  }
}
