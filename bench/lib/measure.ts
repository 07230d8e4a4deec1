/** Small timing helpers shared by the bench files. */

/** Runs `fn` `iterations` times after `warmup` runs; returns per-call latencies in microseconds. */
export async function latencies(fn: () => unknown, iterations: number, warmup = Math.min(1000, iterations)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return out;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Calls per second of `fn` over about `seconds`, after a short warm-up. */
export async function throughput(fn: () => unknown, seconds = 1): Promise<number> {
  const warmEnd = performance.now() + 200;
  while (performance.now() < warmEnd) await fn();
  let count = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await fn();
    count++;
  }
  return count / ((performance.now() - t0) / 1000);
}

/** Throughput with `inFlight` calls outstanding at all times. */
export async function concurrentThroughput(fn: () => Promise<unknown>, inFlight: number, seconds = 1): Promise<number> {
  let count = 0;
  let stop = false;
  const lane = async () => {
    while (!stop) {
      await fn();
      count++;
    }
  };
  const warm = Array.from({ length: inFlight }, lane);
  await new Promise((r) => setTimeout(r, 200));
  stop = true;
  await Promise.all(warm);
  stop = false;
  count = 0;
  const t0 = performance.now();
  const lanes = Array.from({ length: inFlight }, lane);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  await Promise.all(lanes);
  return count / ((performance.now() - t0) / 1000);
}

/**
 * Latencies of `fn` with `reset` run (untimed) before every call: a cold figure, where nothing
 * an earlier call left behind (caches, memoised parses) can help.
 */
export async function coldLatencies(reset: () => void, fn: () => unknown, iterations: number, warmup = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) {
    reset();
    await fn();
  }
  const out = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    reset();
    const t0 = process.hrtime.bigint();
    await fn();
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return out;
}

export function mean(samples: number[]): number {
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

/**
 * Open loop: starts calls at `rate` per second for about `seconds`, whether or not earlier ones
 * finished (how clients arrive), and returns each call's latency in milliseconds.
 */
export async function openLoopLatencies(rate: number, seconds: number, call: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due) {
      sent++;
      const t0 = performance.now();
      pending.push(call().then(() => void samples.push(performance.now() - t0)));
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(pending);
  return samples;
}
