/**
 * What confinement (ses lockdown + Compartment, facades, memory guard) costs, measured against
 * the same sim transport running the same bundle unconfined, alternating in the same run:
 *  - normal empty ecall p50, confined vs unconfined
 *  - switchless empty ecall p50, confined vs unconfined
 *  - enclave start (createEnclave to first answer, then destroy), confined vs unconfined
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createEnclave, listBackends, registerBackend, type Backend } from 'secgear';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { latencies, percentile } from './lib/measure.js';
import type { BenchSuite } from './lib/types.js';
import type { ecalls } from './enclaves/bench-enclave.js';

const here = dirname(fileURLToPath(import.meta.url));
const ITERATIONS = 20_000;
const ROUNDS = 3;
const STARTS = 10;

function unconfinedBackend(): Backend {
  const sim = listBackends().find((b) => b.name === 'sim')!;
  return {
    ...sim,
    name: 'sim-unconfined-bench',
    isolation: 'bench only: the sim transport without confinement',
    strength: -1,
    async start({ image, init, heapLimitMb }) {
      const worker = new Worker(join(here, 'workers', 'unconfined-enclave.js'), {
        workerData: { init, bundle: image.bundle },
        // the sim backend's own limits, so only the confinement differs
        resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: Math.max(4, Math.min(32, heapLimitMb / 4)) },
      });
      let exit: ((reason: string) => void) | null = null;
      let terminated = false;
      worker.on('exit', (code) => !terminated && exit?.(`exited (${code})`));
      return {
        send: (message, transfer) => worker.postMessage(message, transfer),
        onMessage: (handler) => worker.on('message', handler),
        onExit: (handler) => (exit = handler),
        async terminate() {
          terminated = true;
          await worker.terminate();
        },
      };
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function startMs(image: string, type: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const enclave = await createEnclave<typeof ecalls>(image, { type, switchless: false });
    await enclave.ecall.noop();
    times.push(performance.now() - t0);
    await enclave.destroy();
  }
  return median(times);
}

const suite: BenchSuite = {
  name: 'confinement cost (sim backend)',
  async run() {
    if (!listBackends().some((b) => b.name === 'sim-unconfined-bench')) registerBackend(unconfinedBackend());
    const image = await buildBenchEnclave('bench-enclave', mkdtempSync(join(tmpdir(), 'secgear-bench-')));
    const m: Record<string, number[]> = { normal: [], normalRaw: [], sl: [], slRaw: [], start: [], startRaw: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [type, normal, sl] of [['sim', 'normal', 'sl'], ['sim-unconfined-bench', 'normalRaw', 'slRaw']] as const) {
        const plain = await createEnclave<typeof ecalls>(image, { type, switchless: false });
        m[normal].push(percentile(await latencies(() => plain.ecall.noop(), ITERATIONS), 50));
        await plain.destroy();
        const fast = await createEnclave<typeof ecalls>(image, { type });
        m[sl].push(percentile(await latencies(() => fast.ecall.slNoop(), ITERATIONS), 50));
        await fast.destroy();
      }
      m.start.push(await startMs(image, 'sim'));
      m.startRaw.push(await startMs(image, 'sim-unconfined-bench'));
    }
    const load = `load ${(await import('node:os')).loadavg()[0].toFixed(2)} on ${(await import('node:os')).cpus().length} cores`;
    return [
      { name: `normal empty ecall p50, confined (${load})`, unit: 'µs', value: median(m.normal), better: 'lower', baseline: { name: 'same, unconfined', value: median(m.normalRaw) } },
      { name: `switchless empty ecall p50, confined (${load})`, unit: 'µs', value: median(m.sl), better: 'lower', baseline: { name: 'same, unconfined', value: median(m.slRaw) } },
      { name: 'enclave start to first ecall, confined', unit: 'ms', value: median(m.start), better: 'lower', baseline: { name: 'same, unconfined', value: median(m.startRaw) } },
    ];
  },
};

export default suite;
