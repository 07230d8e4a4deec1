/**
 * Timers for enclave code. Node's Timeout and Immediate objects link to every other timer of
 * the isolate (including the confinement's own watchdog), so enclave code gets an opaque handle
 * instead, and its callbacks run with no `this` (Node would pass the timer object).
 */

type Real = { ref(): unknown; unref(): unknown; hasRef(): boolean; refresh?(): unknown };

export interface TimerFacade {
  setTimeout(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): TimerHandle;
  clearTimeout(handle: unknown): void;
  setInterval(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): TimerHandle;
  clearInterval(handle: unknown): void;
  setImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]): TimerHandle;
  clearImmediate(handle: unknown): void;
}

/** What enclave code holds for a timer: ref/unref/hasRef/refresh and nothing of Node's object. */
export class TimerHandle {
  readonly #real: Real;
  constructor(real: Real) {
    this.#real = real;
  }
  ref(): this {
    this.#real.ref();
    return this;
  }
  unref(): this {
    this.#real.unref();
    return this;
  }
  hasRef(): boolean {
    return this.#real.hasRef();
  }
  refresh(): this {
    this.#real.refresh?.();
    return this;
  }
  static real(handle: unknown): Real | undefined {
    return handle instanceof TimerHandle ? handle.#real : undefined;
  }
}

function checkCallback(callback: unknown): asserts callback is (...args: unknown[]) => void {
  if (typeof callback !== 'function') {
    throw new TypeError(`The "callback" argument must be of type function. Received ${callback === null ? 'null' : typeof callback}`);
  }
}

/** Builds the facade over the isolate's real timer functions (captured before lockdown). */
export function makeTimerFacade(real: {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
  setInterval: typeof globalThis.setInterval;
  clearInterval: typeof globalThis.clearInterval;
  setImmediate: typeof globalThis.setImmediate;
  clearImmediate: typeof globalThis.clearImmediate;
}): TimerFacade {
  const { apply } = Reflect;
  const run = (callback: (...args: unknown[]) => void, args: unknown[]) => apply(callback, undefined, args);
  return {
    setTimeout(callback, ms, ...args) {
      checkCallback(callback);
      return new TimerHandle(real.setTimeout(run, ms, callback, args) as unknown as Real);
    },
    clearTimeout(handle) {
      const timer = TimerHandle.real(handle);
      if (timer) real.clearTimeout(timer as never);
    },
    setInterval(callback, ms, ...args) {
      checkCallback(callback);
      return new TimerHandle(real.setInterval(run, ms, callback, args) as unknown as Real);
    },
    clearInterval(handle) {
      const timer = TimerHandle.real(handle);
      if (timer) real.clearInterval(timer as never);
    },
    setImmediate(callback, ...args) {
      checkCallback(callback);
      return new TimerHandle(real.setImmediate(run, callback, args) as unknown as Real);
    },
    clearImmediate(handle) {
      const timer = TimerHandle.real(handle);
      if (timer) real.clearImmediate(timer as never);
    },
  };
}
