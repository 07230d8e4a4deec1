/**
 * Decides how long the two sides of the switchless ring spin before they sleep on a futex.
 *
 * Spinning only pays while both threads run at the same time. On a machine with more runnable
 * threads than cores they often do not: a spinning thread then takes the CPU that the thread it
 * waits for needs, and a call costs a scheduler time slice instead of a microsecond. So:
 *  - the caller's spin budget adapts (as glibc's adaptive mutexes): a spin that saw the result
 *    keeps the budget near twice the polls it needed, a spin that ran out halves it;
 *  - the caller watches for contention without any help from the enclave: on every 8th call it
 *    compares the call's wall time with the time its own polls account for; the difference is
 *    time it did not run (preempted). A preempted or sleeping call is a contended sample;
 *  - while recent samples are mostly contended, it tells the enclave's server (SPIN_HINT, the
 *    most polls it may spin) not to spin after a task but to sleep at once, and spins little itself: both sides then hand the
 *    CPU over through the futex, like the postMessage path does, but without its event-loop work;
 *  - every PROBE_EVERY contended calls it lets both sides spin a little (PROBE_SPIN_POLLS) for up
 *    to PROBE_CALLS calls and goes back to spinning if those calls ran without being preempted;
 *  - back to spinning (and at the start), the server's spin starts at PROBE_SPIN_POLLS and
 *    doubles with every unpreempted sample up to retriesBeforeSleep, so a wrong guess costs
 *    short spins, not a scheduler time slice per call.
 */
import { SPIN_HINT } from '../common/switchless-ring.js';

/** SPIN_HINT value that leaves the server's spin to retriesBeforeSleep alone. */
const SPIN_FREELY = 0x7fffffff;

export const MIN_SPIN_POLLS = 8;
export const MAX_SPIN_POLLS = 4096;
/** Wall time beyond what the polls account for that marks a call as preempted. */
const PREEMPTED_US = 5;
/** Contention score (a running average; 256 = every sample contended) to enter / leave contended mode. */
const ENTER = 64;
const LEAVE = 16;
const PROBE_EVERY = 1024;
const PROBE_CALLS = 16;
/** How long either side may spin during a probe. */
const PROBE_SPIN_POLLS = 256;

export class SpinGovernor {
  private spinPolls = MIN_SPIN_POLLS * 4;
  private score = 0;
  private contended = false;
  private calls = 0;
  private probeLeft = 0;
  private probeSlow = 0;
  /** What SPIN_HINT says while not contended: it starts small and doubles with every unpreempted sample. */
  private serverSpin = PROBE_SPIN_POLLS;

  constructor(
    private readonly control: Int32Array,
    /** Nanoseconds one poll takes here. */
    private readonly pollNs: number,
  ) {
    Atomics.store(control, SPIN_HINT, this.serverSpin);
  }

  /** Whether the next call should be timed (every 8th, and every call of a probe). */
  startCall(): boolean {
    this.calls++;
    if (this.contended && this.probeLeft === 0 && this.calls % PROBE_EVERY === 0) {
      this.probeLeft = PROBE_CALLS;
      this.probeSlow = 0;
      Atomics.store(this.control, SPIN_HINT, PROBE_SPIN_POLLS);
    }
    return this.probeLeft > 0 || (this.calls & 7) === 0;
  }

  /** Polls the caller may spin before it sleeps. */
  get budget(): number {
    return this.probeLeft > 0 ? Math.max(this.spinPolls, PROBE_SPIN_POLLS) : this.spinPolls;
  }

  get isContended(): boolean {
    return this.contended;
  }

  /** The result came after `polls` polls of spinning; `elapsedUs` when the call was timed. */
  sawResult(polls: number, elapsedUs: number | undefined): void {
    this.spinPolls = clamp(this.spinPolls + ((2 * polls + MIN_SPIN_POLLS - this.spinPolls) >> 2));
    if (elapsedUs !== undefined) this.sample(elapsedUs - (polls * this.pollNs) / 1000 > PREEMPTED_US);
  }

  /** The spin ran out and the caller slept on the futex. */
  slept(): void {
    this.spinPolls = clamp(this.spinPolls >> 1);
    this.sample(true);
  }

  private sample(contended: boolean): void {
    this.score += (contended ? 32 : 0) - (this.score >> 3);
    if (this.probeLeft > 0) {
      // a probe ends early once a quarter of its calls were preempted; it succeeds if none more were
      if (contended) this.probeSlow++;
      const failed = this.probeSlow > PROBE_CALLS / 4;
      if (--this.probeLeft > 0 && !failed) return;
      this.probeLeft = 0;
      if (!failed) this.score = 0;
      this.setContended(failed, true);
      return;
    }
    if (!this.contended && this.score >= ENTER) this.setContended(true, false);
    else if (this.contended && this.score < LEAVE) this.setContended(false, false);
    else if (!this.contended && !contended && this.serverSpin < SPIN_FREELY) {
      // spinning keeps paying: let the server spin longer, up to its retriesBeforeSleep
      this.serverSpin = Math.min(SPIN_FREELY, this.serverSpin * 2);
      Atomics.store(this.control, SPIN_HINT, this.serverSpin);
    }
  }

  private setContended(contended: boolean, force: boolean): void {
    if (contended === this.contended && !force) return;
    this.contended = contended;
    if (contended) this.spinPolls = MIN_SPIN_POLLS;
    this.serverSpin = PROBE_SPIN_POLLS;
    Atomics.store(this.control, SPIN_HINT, contended ? 0 : this.serverSpin);
  }
}

function clamp(polls: number): number {
  return Math.min(MAX_SPIN_POLLS, Math.max(MIN_SPIN_POLLS, polls));
}
