/**
 * The host side of switchless calls: writes a task into a free ring slot, rings the doorbell
 * and waits for the result without any message passing. The calling thread polls, as secGear's
 * untrusted threads do; if the enclave does not take the task within `retriesBeforeFallback`
 * polls the task is withdrawn and the call goes the normal way.
 */
import {
  CALL_ID,
  CLOSED,
  DONE,
  FREE,
  FUNCTION,
  HOST_SLEEPERS,
  LENGTH,
  MESSAGES,
  RESERVED,
  RESULT_BY_MESSAGE,
  RESULT_OK,
  RUNNING,
  STATE,
  SUBMITTED,
  createRingBuffer,
  ringDoorbell,
  viewRing,
  type RingView,
} from '../common/switchless-ring.js';
import type { WireError } from '../common/protocol.js';

/** How long the caller may block its thread for one result before waiting asynchronously. */
const SYNC_WAIT_MS = 2;
/** Loads per poll: one poll is a short spin, so retry counts mean about what they do in secGear. */
const SPIN_PER_POLL = 64;

export type SwitchlessOutcome =
  | { kind: 'done'; ok: boolean; value: unknown }
  | { kind: 'pending'; slot: number; wait: Promise<void> }
  | { kind: 'by-message' }
  | { kind: 'fallback' }
  | { kind: 'full' };

export class SwitchlessClient {
  readonly buffer: SharedArrayBuffer;
  private readonly ring: RingView;

  constructor(
    readonly poolSize: number,
    readonly slotBytes: number,
    private readonly retriesBeforeFallback: number,
  ) {
    this.buffer = createRingBuffer(poolSize, slotBytes);
    this.ring = viewRing(this.buffer, poolSize, slotBytes);
  }

  /** Tells the enclave's server that a normal message was posted, so it yields to its event loop. */
  notifyMessage(): void {
    Atomics.store(this.ring.control, MESSAGES, 1);
    ringDoorbell(this.ring.control);
  }

  close(): void {
    Atomics.store(this.ring.control, CLOSED, 1);
    ringDoorbell(this.ring.control);
  }

  call(fn: number, args: unknown[], callId: number): SwitchlessOutcome {
    const slot = this.reserve();
    if (slot < 0) return { kind: 'full' };
    const header = this.ring.headers[slot];
    let end: number;
    try {
      end = this.ring.codecs[slot].encode(args);
    } catch (error) {
      Atomics.store(header, STATE, FREE); // a value that cannot cross must not leak the slot
      throw error;
    }
    if (end < 0) {
      Atomics.store(header, STATE, FREE);
      return { kind: 'fallback' };
    }
    header[FUNCTION] = fn;
    header[LENGTH] = end;
    header[CALL_ID] = callId;
    Atomics.store(header, STATE, SUBMITTED);
    ringDoorbell(this.ring.control);

    // wait for the enclave to take the task, or withdraw it
    let state = SUBMITTED;
    for (let poll = 0; poll < this.retriesBeforeFallback && state === SUBMITTED; poll++) {
      for (let i = 0; i < SPIN_PER_POLL && state === SUBMITTED; i++) state = Atomics.load(header, STATE);
    }
    if (state === SUBMITTED && Atomics.compareExchange(header, STATE, SUBMITTED, FREE) === SUBMITTED) return { kind: 'fallback' };

    // taken: poll briefly, then sleep on the slot state, within the synchronous budget
    for (let i = 0; i < SPIN_PER_POLL * 16; i++) {
      if (Atomics.load(header, STATE) === DONE) return this.collect(slot);
    }
    const deadline = performance.now() + SYNC_WAIT_MS; // read the clock only on the slow path
    while (Atomics.load(header, STATE) !== DONE) {
      const left = deadline - performance.now();
      if (left <= 0) {
        return { kind: 'pending', slot, wait: this.waitDone(header) };
      }
      Atomics.add(this.ring.control, HOST_SLEEPERS, 1);
      Atomics.wait(header, STATE, RUNNING, left);
      Atomics.sub(this.ring.control, HOST_SLEEPERS, 1);
    }
    return this.collect(slot);
  }

  /** Reads a DONE slot's result and frees the slot. */
  collect(slot: number): SwitchlessOutcome {
    const header = this.ring.headers[slot];
    const kind = header[FUNCTION];
    let outcome: SwitchlessOutcome;
    if (kind === RESULT_BY_MESSAGE) {
      outcome = { kind: 'by-message' };
    } else {
      try {
        outcome = { kind: 'done', ok: kind === RESULT_OK, value: this.ring.codecs[slot].decode(header[LENGTH]) };
      } catch (error) {
        outcome = { kind: 'done', ok: false, value: { code: 'CC_ERROR_BAD_PARAMETERS', message: (error as Error).message } satisfies WireError };
      }
    }
    Atomics.store(header, STATE, FREE);
    return outcome;
  }

  private async waitDone(header: Int32Array): Promise<void> {
    while (Atomics.load(header, STATE) !== DONE) {
      if (Atomics.load(this.ring.control, CLOSED)) return;
      Atomics.add(this.ring.control, HOST_SLEEPERS, 1);
      const result = Atomics.waitAsync(header, STATE, RUNNING, 50);
      if (result.async) await result.value;
      Atomics.sub(this.ring.control, HOST_SLEEPERS, 1);
    }
  }

  private reserve(): number {
    const { headers } = this.ring;
    for (let i = 0; i < headers.length; i++) {
      if (Atomics.compareExchange(headers[i], STATE, FREE, RESERVED) === FREE) return i;
    }
    return -1;
  }
}
