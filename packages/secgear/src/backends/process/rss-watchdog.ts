/**
 * Host-side watchdog on an enclave process's resident memory (Linux /proc). It catches what
 * the in-enclave memory guard cannot: code that allocates and touches memory without ever
 * yielding. The allowance covers Node's own runtime in the child; the enclave's heap,
 * ArrayBuffers and Wasm memory are limited more tightly inside.
 */
import { readFileSync } from 'node:fs';

const POLL_MS = 50;
/** Resident memory of an idle confined child (Node, V8, ses) that the limit does not count. */
export const RSS_ALLOWANCE_MB = 128;

let pageSize: number | null = null;
function residentBytes(pid: number | 'self'): number | null {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
    if (!Number.isFinite(pages)) return null;
    if (pageSize === null) {
      const own = Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]);
      pageSize = own > 0 ? Math.max(4096, 2 ** Math.round(Math.log2(process.memoryUsage.rss() / own))) : 4096;
    }
    return pages * pageSize;
  } catch {
    return null; // not Linux, or the process is gone
  }
}

export function startRssWatchdog(pid: number, memoryLimitMb: number, exceeded: (rssBytes: number) => void): { stop(): void } {
  const limit = (memoryLimitMb + RSS_ALLOWANCE_MB) * 1024 * 1024;
  const timer = setInterval(() => {
    const rss = residentBytes(pid);
    if (rss !== null && rss > limit) {
      clearInterval(timer);
      exceeded(rss);
    }
  }, POLL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
