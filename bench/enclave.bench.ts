/**
 * Foundation benchmarks (issue 2): ecall round trips and throughput on the sim backend, each
 * beside its baseline measured in the same run:
 *  - switchless empty ecall p50 and mean vs a raw SharedArrayBuffer + Atomics ping-pong between two threads
 *  - normal empty ecall p50 vs a raw postMessage ping-pong, and vs the same call through Comlink
 *  - 1 KiB-argument ecall throughput with 8 calls in flight vs raw postMessage with 8 in flight
 * Each figure is the median of three rounds in which ours and the baselines alternate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createEnclave } from 'secgear';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { concurrentThroughput, latencies, mean, percentile } from './lib/measure.js';
import type { BenchSuite } from './lib/types.js';
import type { ecalls } from './enclaves/bench-enclave.js';

const here = dirname(fileURLToPath(import.meta.url));
const ITERATIONS = 20_000;

function worker(name: string, data: unknown): Worker {
  return new Worker(join(here, 'workers', `${name}.js`), { workerData: data });
}

async function postMessagePingPong(): Promise<{ p50: number; throughput1k: number }> {
  const w = worker('echo-worker', { mode: 'post' });
  const waiting = new Map<number, () => void>();
  w.on('message', (m: [number]) => {
    const done = waiting.get(m[0]);
    waiting.delete(m[0]);
    done?.();
  });
  let id = 0;
  const call = (payload?: unknown) =>
    new Promise<void>((resolve) => {
      const n = id++;
      waiting.set(n, resolve);
      w.postMessage([n, payload]);
    });
  const p50 = percentile(await latencies(() => call(), ITERATIONS), 50);
  const payload = new Uint8Array(1024);
  const throughput1k = await concurrentThroughput(() => call(payload), 8, 1);
  await w.terminate();
  return { p50, throughput1k };
}

/** `wait`: both threads sleep in Atomics.wait between messages; `spin`: both poll (the fastest raw exchange). */
async function atomicsPingPong(mode: 'wait' | 'spin'): Promise<{ p50: number; mean: number }> {
  const buffer = new SharedArrayBuffer(4);
  const flag = new Int32Array(buffer);
  const w = worker('echo-worker', { mode: mode === 'wait' ? 'atomics' : 'spin', buffer });
  await new Promise((r) => setTimeout(r, 50));
  const once =
    mode === 'wait'
      ? () => {
          Atomics.store(flag, 0, 1);
          Atomics.notify(flag, 0);
          while (Atomics.load(flag, 0) !== 2) Atomics.wait(flag, 0, 1);
          Atomics.store(flag, 0, 0);
          Atomics.notify(flag, 0);
        }
      : () => {
          Atomics.store(flag, 0, 1);
          while (Atomics.load(flag, 0) !== 2);
          Atomics.store(flag, 0, 0);
        };
  const samples = await latencies(once, ITERATIONS);
  Atomics.store(flag, 0, 3);
  Atomics.notify(flag, 0);
  await w.terminate();
  return { p50: percentile(samples, 50), mean: mean(samples) };
}

async function comlinkP50(): Promise<number> {
  const w = worker('comlink-worker', {});
  const remote = Comlink.wrap<{ noop(): void }>(nodeEndpoint(w));
  const p50 = percentile(await latencies(() => remote.noop(), ITERATIONS), 50);
  remote[Comlink.releaseProxy]();
  await w.terminate();
  return p50;
}

/** Median of `values`. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Rounds in which ours and every baseline run alternately, so load on a shared machine hits both alike. */
const ROUNDS = 3;

const suite: BenchSuite = {
  name: 'enclave calls (sim backend)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-'));
    const image = await buildBenchEnclave('bench-enclave', dir);
    const m: Record<string, number[]> = { sl: [], slMean: [], normal: [], tp: [], wait: [], spin: [], spinMean: [], post: [], postTp: [], comlink: [] };
    let fallbacks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // switchless calls, with the enclave thread serving the ring
      const fast = await createEnclave<typeof ecalls>(image, { type: 'sim' });
      const sl = await latencies(() => fast.ecall.slNoop(), ITERATIONS);
      m.sl.push(percentile(sl, 50));
      m.slMean.push(mean(sl));
      fallbacks += fast.stats().fallbacks;
      await fast.destroy();
      const spin = await atomicsPingPong('spin');
      m.spin.push(spin.p50);
      m.spinMean.push(spin.mean);
      m.wait.push((await atomicsPingPong('wait')).p50);
      // normal calls in the default set-up: no ring, so the enclave thread waits in its event loop
      const enclave = await createEnclave<typeof ecalls>(image, { type: 'sim', switchless: false });
      m.normal.push(percentile(await latencies(() => enclave.ecall.noop(), ITERATIONS), 50));
      const payload = new Uint8Array(1024);
      m.tp.push(await concurrentThroughput(() => enclave.ecall.take1k(payload), 8, 1));
      await enclave.destroy();
      const post = await postMessagePingPong();
      m.post.push(post.p50);
      m.postTp.push(post.throughput1k);
      m.comlink.push(await comlinkP50());
    }
    if (fallbacks > (ROUNDS * ITERATIONS) / 100) process.stderr.write(`note: ${fallbacks} switchless calls fell back to normal calls\n`);
    const [slP50, normalP50, throughput] = [median(m.sl), median(m.normal), median(m.tp)];
    return [
      { name: 'switchless empty ecall round trip p50', unit: 'µs', value: slP50, better: 'lower', baseline: { name: 'raw SAB+Atomics ping-pong p50, both threads polling', value: median(m.spin) } },
      // on a busy machine a polling peer is often descheduled: rare, very slow round trips that a p50 hides
      { name: 'switchless empty ecall round trip mean', unit: 'µs', value: median(m.slMean), better: 'lower', baseline: { name: 'raw SAB+Atomics ping-pong mean, both threads polling', value: median(m.spinMean) } },
      { name: 'switchless empty ecall round trip p50 vs sleeping peers', unit: 'µs', value: slP50, better: 'lower', baseline: { name: 'raw SAB+Atomics.wait/notify ping-pong p50', value: median(m.wait) } },
      { name: 'normal empty ecall round trip p50', unit: 'µs', value: normalP50, better: 'lower', baseline: { name: 'raw postMessage ping-pong p50', value: median(m.post) } },
      { name: 'normal empty ecall round trip p50 vs Comlink', unit: 'µs', value: normalP50, better: 'lower', baseline: { name: 'Comlink call p50', value: median(m.comlink) } },
      { name: '1 KiB-argument ecall throughput, 8 in flight', unit: 'calls/s', value: throughput, better: 'higher', baseline: { name: 'raw postMessage 1 KiB, 8 in flight', value: median(m.postTp) } },
    ];
  },
};

export default suite;
