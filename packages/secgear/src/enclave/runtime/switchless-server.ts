/**
 * The enclave side of switchless calls. A JavaScript enclave has one thread, so that thread
 * is the switchless worker: between turns of its event loop it takes tasks from the ring
 * without any message passing. When the ring is idle it spins (`busy`) or, after
 * `retriesBeforeSleep` idle polls (none while the host reports contention: a busy machine),
 * sleeps in Atomics.wait (`wakeup`) until the host rings the doorbell. The host also rings it
 * when it posts a normal message, so normal ecalls and ocall results are never starved.
 */
import type { SwitchlessInit, WireError } from '../../common/protocol.js';
import {
  CALL_ID,
  CLOSED,
  DONE,
  DOORBELL,
  FUNCTION,
  HOST_SLEEPERS,
  LENGTH,
  LOADS_PER_POLL,
  MESSAGES,
  RESULT_BY_MESSAGE,
  RESULT_ERROR,
  RESULT_OK,
  RUNNING,
  SERVER_SLEEPING,
  SERVER_SLEEPS,
  SERVER_WAKEUPS,
  SPIN_HINT,
  STATE,
  SUBMITTED,
  viewRing,
} from '../../common/switchless-ring.js';

/** Longest single sleep, so enclave timers still fire while the ring is idle. */
const SLEEP_SLICE_MS = 20;
/** In `busy` mode, how many idle polls before letting the event loop run once. */
const BUSY_POLLS_PER_TURN = 20_000;

export interface SwitchlessServerDeps {
  functions: Array<((...args: unknown[]) => unknown) | undefined>;
  toWireError(error: unknown): WireError;
  /** Delivers a result that does not fit its slot as a normal message. */
  sendResult(callId: number, ok: boolean, value: unknown): void;
}

export function startSwitchlessServer(init: SwitchlessInit, deps: SwitchlessServerDeps): void {
  const ring = viewRing(init.buffer, init.poolSize, init.slotBytes);
  const { control } = ring;
  let yieldToEventLoop = false;

  const finish = (slot: number, ok: boolean, value: unknown): void => {
    const header = ring.headers[slot];
    let kind = ok ? RESULT_OK : RESULT_ERROR;
    let end: number;
    try {
      end = ring.codecs[slot].encode(value);
    } catch {
      end = -1; // not plain data: structured clone on the message path can still carry it
    }
    if (end < 0) {
      try {
        deps.sendResult(header[CALL_ID], ok, value);
      } catch (error) {
        deps.sendResult(header[CALL_ID], false, deps.toWireError(error));
      }
      kind = RESULT_BY_MESSAGE;
      end = 0;
    }
    header[FUNCTION] = kind;
    header[LENGTH] = end;
    Atomics.store(header, STATE, DONE);
    if (Atomics.load(control, HOST_SLEEPERS) !== 0) Atomics.notify(header, STATE);
  };

  const runSlot = (slot: number): void => {
    const header = ring.headers[slot];
    const fn = deps.functions[header[FUNCTION]];
    let result: unknown;
    try {
      const args = ring.codecs[slot].decode(header[LENGTH]);
      if (!fn || !Array.isArray(args)) throw new Error('malformed switchless task');
      result = fn(...args);
    } catch (error) {
      finish(slot, false, deps.toWireError(error));
      return;
    }
    if (result instanceof Promise) {
      yieldToEventLoop = true; // its continuation runs as a microtask, after this turn
      result.then(
        (v) => finish(slot, true, v),
        (e) => finish(slot, false, deps.toWireError(e)),
      );
    } else {
      finish(slot, true, result);
    }
  };

  /** Takes and runs every submitted task; returns how many ran. */
  const drain = (): number => {
    let ran = 0;
    for (let i = 0; i < ring.headers.length; i++) {
      const header = ring.headers[i];
      if (Atomics.load(header, STATE) === SUBMITTED && Atomics.compareExchange(header, STATE, SUBMITTED, RUNNING) === SUBMITTED) {
        runSlot(i);
        ran++;
      }
    }
    return ran;
  };

  // Policy "wakeup" spins retriesBeforeSleep polls for a task, then sleeps on the DOORBELL
  // futex; sooner when the host says so (SPIN_HINT, 0 under contention: more runnable threads
  // than cores, where spinning here would take the CPU the host thread needs for the next task).
  const spinLoads = init.retriesBeforeSleep * LOADS_PER_POLL;

  let drained = -1; // the DOORBELL value up to which submitted tasks were taken
  const serve = (): void => {
    let idle = 0; // loads since the last task (or wake-up)
    for (;;) {
      // every submit, posted message and close bumps DOORBELL after its own store, so an
      // unchanged value means nothing new: one load per idle poll
      const seen = Atomics.load(control, DOORBELL);
      if (seen !== drained) {
        if (Atomics.load(control, CLOSED)) return;
        drained = seen;
        const messages = Atomics.load(control, MESSAGES) !== 0;
        if (messages) Atomics.store(control, MESSAGES, 0);
        const ran = drain();
        if (messages) break; // let the event loop deliver the posted messages
        if (ran > 0) {
          idle = 0;
          if (yieldToEventLoop) break;
          continue;
        }
      }
      idle++;
      if (init.policy === 'busy') {
        if (idle % BUSY_POLLS_PER_TURN === 0) break;
        continue;
      }
      if (idle <= spinLoads && idle <= Atomics.load(control, SPIN_HINT) * LOADS_PER_POLL) continue;
      Atomics.store(control, SERVER_SLEEPING, 1);
      Atomics.add(control, SERVER_SLEEPS, 1);
      const woke = Atomics.wait(control, DOORBELL, seen, SLEEP_SLICE_MS);
      Atomics.store(control, SERVER_SLEEPING, 0);
      if (woke === 'timed-out') break;
      if (woke === 'ok') Atomics.add(control, SERVER_WAKEUPS, 1);
      idle = 0;
    }
    yieldToEventLoop = false;
    setImmediate(serve);
  };
  setImmediate(serve);
}
