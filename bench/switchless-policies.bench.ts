/**
 * Switchless policies side by side (the figures of docs/switchless.md): empty-call p50 and mean
 * for `wakeup` (default), `wakeup` with retriesBeforeSleep 0 and `busy`, each beside a normal
 * ecall measured in the same phase, with no bench load and with two busy-loop processes
 * started by the bench. Three rounds; idle and loaded phases alternate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnclave, type SwitchlessOptions } from 'secgear';
import { conditionsBetween, sampleLoad, type Conditions, type LoadSample } from './lib/conditions.js';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { startBusyLoad } from './lib/load.js';
import { latencies, mean, percentile } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';
import type { ecalls } from './enclaves/bench-enclave.js';

const CALLS = 5000;
const ROUNDS = 3;
const BUSY_THREADS = 2;
const policies: Array<[string, SwitchlessOptions | false]> = [
  ['wakeup (default)', {}],
  ['wakeup, retriesBeforeSleep 0', { retriesBeforeSleep: 0 }],
  ['busy', { policy: 'busy' }],
  ['normal ecall', false],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const suite: BenchSuite = {
  name: 'switchless policies, idle and loaded',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-policies-'));
    try {
      const image = await buildBenchEnclave('bench-enclave', dir);
      const p50 = new Map<string, number[]>();
      const avg = new Map<string, number[]>();
      const conditions: Record<string, Conditions> = {};
      const firstStart: Record<string, LoadSample> = {};
      const phase = async (label: string, threads: number) => {
        firstStart[label] ??= sampleLoad();
        for (const [name, switchless] of policies) {
          const enclave = await createEnclave<typeof ecalls>(image, { type: 'sim', switchless });
          const samples = await latencies(() => (switchless === false ? enclave.ecall.noop() : enclave.ecall.slNoop()), CALLS);
          await enclave.destroy();
          const key = `${name}|${label}`;
          p50.set(key, [...(p50.get(key) ?? []), percentile(samples, 50)]);
          avg.set(key, [...(avg.get(key) ?? []), mean(samples)]);
        }
        conditions[label] = conditionsBetween(firstStart[label], sampleLoad(), threads);
      };
      for (let round = 0; round < ROUNDS; round++) {
        await phase('idle', 0);
        const load = await startBusyLoad(BUSY_THREADS, 300);
        try {
          await phase('loaded', BUSY_THREADS);
        } finally {
          await load.stop();
        }
      }
      const out: Array<Omit<BenchResult, 'ratio'>> = [];
      for (const label of ['idle', 'loaded']) {
        const normal = (m: Map<string, number[]>) => median(m.get(`normal ecall|${label}`) as number[]);
        const where = label === 'idle' ? 'no bench load' : `${BUSY_THREADS} busy-loop processes`;
        for (const [name, switchless] of policies) {
          if (switchless === false) continue;
          const key = `${name}|${label}`;
          out.push({ name: `switchless ${name}, ${where}: empty call p50`, unit: 'µs', value: median(p50.get(key) as number[]), better: 'lower', baseline: { name: 'normal empty ecall p50, same phase', value: normal(p50) }, conditions: conditions[label] });
          out.push({ name: `switchless ${name}, ${where}: empty call mean`, unit: 'µs', value: median(avg.get(key) as number[]), better: 'lower', baseline: { name: 'normal empty ecall mean, same phase', value: normal(avg) }, conditions: conditions[label] });
        }
      }
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
