/**
 * Counts the enclave isolate's memory the way the issue's attacker spends it: V8 heap plus
 * external memory (ArrayBuffer backing stores and WebAssembly memories, which V8's heap limit
 * does not cover). Checked on a timer and before messages leave the enclave; over the limit,
 * the enclave ends (the host reports CC_ERROR_ENCLAVE_LOST, out of memory). Code that
 * allocates without ever yielding is checked only when it yields or sends; the process backend
 * adds a host-side RSS watchdog for that case.
 */

export interface HeapStatistics {
  used_heap_size: number;
  external_memory: number;
}

/** Exit code of an enclave ended by its memory limit (enclave code cannot exit with it). */
export const MEMORY_LIMIT_EXIT_CODE = 211;

const CHECK_INTERVAL_MS = 20;
/** Sends within this many ms of the last check reuse it (a check costs a few microseconds). */
const SEND_CHECK_SPACING_MS = 1;

export interface MemoryGuard {
  /** Checks now if the last check is older than a millisecond. */
  checkSoon(): void;
  check(): void;
}

export function startMemoryGuard(options: {
  limitBytes: number;
  heapStatistics: () => HeapStatistics;
  now: () => number;
  setInterval: (fn: () => void, ms: number) => { unref(): unknown };
  exceeded: (usedBytes: number) => void;
}): MemoryGuard {
  let last = 0;
  const check = () => {
    last = options.now();
    const stats = options.heapStatistics();
    const used = stats.used_heap_size + stats.external_memory;
    if (used > options.limitBytes) options.exceeded(used);
  };
  options.setInterval(check, CHECK_INTERVAL_MS).unref();
  return {
    check,
    checkSoon() {
      if (options.now() - last >= SEND_CHECK_SPACING_MS) check();
    },
  };
}
