/**
 * The host side of switchless calls: writes a task into a free ring slot, rings the doorbell
 * and waits for the result without any message passing. The calling thread polls, as secGear's
 * untrusted threads do, as long as polling pays (switchless-governor.ts), then sleeps on the
 * slot's futex; if the enclave does not take the task within `retriesBeforeFallback` polls'
 * worth of time the task is withdrawn and the call goes the normal way.
 */
import {
  CALL_ID,
  CLOSED,
  DONE,
  FREE,
  FUNCTION,
  HOST_SLEEPERS,
  LENGTH,
  LOADS_PER_POLL,
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
import { SpinGovernor } from './switchless-governor.js';

/** How long the caller may block its thread for one result before waiting asynchronously. */
const SYNC_WAIT_MS = 2;
export type SwitchlessOutcome =
  | { kind: 'done'; ok: boolean; value: unknown }
  | { kind: 'pending'; slot: number; wait: Promise<void> }
  | { kind: 'by-message' }
  | { kind: 'fallback' }
  | { kind: 'full' };

export class SwitchlessClient {
  readonly buffer: SharedArrayBuffer;
  private readonly ring: RingView;
  /** Nanoseconds one poll takes on this machine (measured once), to turn retry counts into sleep time. */
  private readonly pollNs: number;
  /** When to spin and when to sleep (see switchless-governor.ts). */
  readonly governor: SpinGovernor;
  /** Calls that slept on the futex. */
  sleeps = 0;

  constructor(
    readonly poolSize: number,
    readonly slotBytes: number,
    private readonly retriesBeforeFallback: number,
  ) {
    this.buffer = createRingBuffer(poolSize, slotBytes);
    this.ring = viewRing(this.buffer, poolSize, slotBytes);
    this.pollNs = measurePollNs(this.ring.control);
    this.governor = new SpinGovernor(this.ring.control, this.pollNs);
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
    // timed from here: ringing the doorbell is where a busy machine most often preempts us
    const timed = this.governor.startCall();
    const t0 = timed ? performance.now() : 0;
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
    ringDoorbell(this.ring.control); // wakes the enclave's server if it sleeps (policy "wakeup")

    // spin for the result within the governor's budget, then sleep on the slot's futex
    const budget = Math.min(this.governor.budget, Math.max(1, this.retriesBeforeFallback));
    let state = SUBMITTED;
    let poll = 0;
    for (; poll < budget && state !== DONE; poll++) {
      for (let i = 0; i < LOADS_PER_POLL && state !== DONE; i++) state = Atomics.load(header, STATE);
    }
    if (state === DONE) {
      this.governor.sawResult(poll, timed ? (performance.now() - t0) * 1000 : undefined);
      return this.collect(slot);
    }
    this.governor.slept();
    return this.sleepForResult(slot, header, budget);
  }

  /**
   * The slow path: sleep on the slot's futex (the server notifies when HOST_SLEEPERS is set).
   * A task not taken within `retriesBeforeFallback` polls' worth of time is withdrawn and
   * goes the normal way; a taken one is waited for up to SYNC_WAIT_MS, then asynchronously.
   */
  private sleepForResult(slot: number, header: Int32Array, spent: number): SwitchlessOutcome {
    this.sleeps++;
    const now = performance.now();
    const acceptBy = now + (Math.max(0, this.retriesBeforeFallback - spent) * this.pollNs) / 1e6;
    const syncBy = now + SYNC_WAIT_MS;
    for (;;) {
      const state = Atomics.load(header, STATE);
      if (state === DONE) return this.collect(slot);
      const t = performance.now();
      if (state === SUBMITTED && t >= acceptBy) {
        if (Atomics.compareExchange(header, STATE, SUBMITTED, FREE) === SUBMITTED) return { kind: 'fallback' };
        continue; // taken just now
      }
      if (state !== SUBMITTED && t >= syncBy) return { kind: 'pending', slot, wait: this.waitDone(header) };
      // not taken yet: sleep towards the fallback deadline, in slices, so that a task taken
      // meanwhile (taking it does not notify) moves to the asynchronous wait soon after syncBy
      const until = state === SUBMITTED ? Math.min(acceptBy, Math.max(syncBy, t + SYNC_WAIT_MS)) : syncBy;
      Atomics.add(this.ring.control, HOST_SLEEPERS, 1);
      Atomics.wait(header, STATE, state, Math.max(0, until - t));
      Atomics.sub(this.ring.control, HOST_SLEEPERS, 1);
    }
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

/** Best of a few short timed spins: preemption only ever makes a sample slower. */
function measurePollNs(control: Int32Array): number {
  const polls = 256;
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let p = 0; p < polls; p++) for (let i = 0; i < LOADS_PER_POLL; i++) sink |= Atomics.load(control, CLOSED);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / polls);
  }
  return Math.max(1, best + (sink & 0));
}
