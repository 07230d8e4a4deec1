/**
 * Counts the enclave isolate's memory the way the issue's attacker spends it: V8 heap plus
 * external memory (ArrayBuffer and SharedArrayBuffer backing stores and WebAssembly memories,
 * which V8's heap limit does not cover). Checked on a timer and before messages leave the enclave; over the limit,
 * the enclave ends (the host reports CC_ERROR_ENCLAVE_LOST, out of memory). Code that
 * allocates without ever yielding is checked only when it yields or sends; the process backend
 * adds a host-side RSS watchdog for that case.
 */

export interface HeapStatistics {
  used_heap_size: number;
  /** ArrayBuffer backing stores and Wasm memories this isolate holds (V8's count). */
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
  /** ArrayBuffers and SharedArrayBuffers this isolate allocated (Node's allocator; V8 does not count shared ones). */
  arrayBufferBytes: () => number;
  now: () => number;
  setInterval: (fn: () => void, ms: number) => { unref(): unknown };
  /** A full garbage collection: dropped ArrayBuffers count until V8 collects them. */
  collectGarbage: (() => void) | null;
  exceeded: (usedBytes: number) => void;
}): MemoryGuard {
  let last = 0;
  const used = () => {
    const stats = options.heapStatistics();
    return stats.used_heap_size + Math.max(stats.external_memory, options.arrayBufferBytes());
  };
  const check = () => {
    last = options.now();
    if (used() <= options.limitBytes) return;
    options.collectGarbage?.();
    const after = used();
    if (after > options.limitBytes) options.exceeded(after);
  };
  options.setInterval(check, CHECK_INTERVAL_MS).unref();
  return {
    check,
    checkSoon() {
      if (options.now() - last >= SEND_CHECK_SPACING_MS) check();
    },
  };
}
