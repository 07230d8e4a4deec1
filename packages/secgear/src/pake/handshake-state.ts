/**
 * The life cycle the Prover and the Verifier share. Each call names the state it needs: a call
 * out of order throws CC_ERROR_PROTOCOL_STATE and changes nothing. Any failure inside a step ends
 * the handshake for good and wipes the party's secrets, so an ephemeral secret never serves a
 * retry. One instance runs one handshake.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';

export type HandshakeEnd = 'complete' | 'failed';

export class HandshakeState<S extends string> {
  #state: S | HandshakeEnd;

  /**
   * @param party class name used in error messages
   * @param wipe overwrites what the party can overwrite; called on failure, completion and abort
   */
  constructor(
    private readonly party: string,
    initial: S,
    private readonly wipe: () => void,
  ) {
    this.#state = initial;
  }

  get current(): S | HandshakeEnd {
    return this.#state;
  }

  /** Runs `fn` if the handshake is in `state`; if `fn` throws, the handshake has failed. */
  step<T>(state: S, call: string, fn: () => T): T {
    if (this.#state !== state) {
      throw new SecGearError(
        ErrorCode.PROTOCOL_STATE,
        `${this.party}.${call}() called in state "${this.#state}" (needs "${state}"); a ${this.party} runs one handshake, create a new one`,
      );
    }
    try {
      return fn();
    } catch (error) {
      this.#state = 'failed';
      this.wipe();
      throw error;
    }
  }

  /** Moves on to the next state; `complete` also wipes what the party no longer needs. */
  advance(next: S | 'complete'): void {
    if (next === 'complete') this.wipe();
    this.#state = next;
  }

  /** Ends the handshake (a completed one stays complete) and wipes; the party is then unusable. */
  abort(): void {
    if (this.#state !== 'complete') this.#state = 'failed';
    this.wipe();
  }
}
