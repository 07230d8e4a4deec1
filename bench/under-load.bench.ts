/**
 * The same figures idle and under a load the bench makes itself (issue 15): two busy-loop
 * processes (bench/lib/load.ts, bounded in time) compete for the CPU while the ecall,
 * switchless, sealing and verifier figures are measured again. Idle and loaded rounds
 * alternate, so the other work on a shared machine weighs on both alike. Each result is the
 * loaded figure beside the idle one (ratio = loaded / idle), and the suite prints how much
 * slower a figure would be if it had only lost CPU share (measured: the share of a core a busy
 * thread got in each phase): a figure that degrades more than that is a finding.
 * "Idle" means without the bench's own load; on a shared machine other work still runs, and
 * each result's `conditions` says how much.
 * Also here: the switchless target under load, switchless p50 ≤ 1.1× a normal ecall's p50
 * measured in the same loaded round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnclave } from 'secgear';
import { clearVerificationCaches, verifyEvidence } from 'secgear/attest';
import { intelSamples, intelCollateral } from './attest-intel.bench.js';
import { conditionsBetween, sampleLoad, type Conditions, type LoadSample } from './lib/conditions.js';
import { buildBenchEnclave } from './lib/enclave-image.js';
import { measureCpuShare, startBusyLoad } from './lib/load.js';
import { coldLatencies, latencies, percentile, throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';
import type { ecalls as BenchEcalls } from './enclaves/bench-enclave.js';
import type { ecalls as SealingEcalls } from './enclaves/sealing-enclave.js';

const ROUNDS = 3;
const BUSY_THREADS = 2;
const CALLS = 5000;

interface Figure {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  value: number;
}

async function measureAll(images: { bench: string; sealing: string }, stateDir: string): Promise<Figure[]> {
  const out: Figure[] = [];
  const fast = await createEnclave<typeof BenchEcalls>(images.bench, { type: 'sim' });
  out.push({ name: 'switchless empty ecall p50', unit: 'µs', better: 'lower', value: percentile(await latencies(() => fast.ecall.slNoop(), CALLS), 50) });
  await fast.destroy();
  const normal = await createEnclave<typeof BenchEcalls>(images.bench, { type: 'sim', switchless: false });
  out.push({ name: 'normal empty ecall p50', unit: 'µs', better: 'lower', value: percentile(await latencies(() => normal.ecall.noop(), CALLS), 50) });
  await normal.destroy();

  const sealing = await createEnclave<typeof SealingEcalls>(images.sealing, { type: 'sim', platform: { stateDir } });
  out.push({ name: '1 KiB seals/s inside the enclave', unit: 'seals/s', better: 'higher', value: (await sealing.ecall.sealRate(1024, 5000, 3)).ours });
  out.push({ name: 'seal+unseal 1 MiB inside the enclave', unit: 'MiB/s', better: 'higher', value: (await sealing.ecall.roundTrip(1 << 20, 40)).ours });
  await sealing.destroy();

  for (const sample of intelSamples) {
    const collateral = intelCollateral(sample);
    const verify = () => verifyEvidence(sample.quote, { format: sample.format, collateral, now: sample.at });
    out.push({ name: `${sample.label} cold verification p50`, unit: 'ms', better: 'lower', value: percentile(await coldLatencies(clearVerificationCaches, verify, 100), 50) / 1000 });
    out.push({ name: `${sample.label} verifications/s, collateral cached`, unit: 'verifications/s', better: 'higher', value: await throughput(verify, 1) });
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const suite: BenchSuite = {
  name: 'idle vs loaded (the bench starts two busy-loop processes)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-load-'));
    try {
      const images = { bench: await buildBenchEnclave('bench-enclave', dir), sealing: await buildBenchEnclave('sealing-enclave', dir) };
      const idle: Figure[][] = [];
      const loaded: Figure[][] = [];
      const samples: { idle: LoadSample[]; loaded: LoadSample[] } = { idle: [], loaded: [] };
      const share = { idle: [] as number[], loaded: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        samples.idle.push(sampleLoad());
        share.idle.push(measureCpuShare());
        idle.push(await measureAll(images, join(dir, 'sim')));
        samples.idle.push(sampleLoad());
        const load = await startBusyLoad(BUSY_THREADS, 300);
        try {
          samples.loaded.push(sampleLoad());
          share.loaded.push(measureCpuShare());
          loaded.push(await measureAll(images, join(dir, 'sim')));
          samples.loaded.push(sampleLoad());
        } finally {
          await load.stop();
        }
      }
      const at = (rounds: Figure[][], i: number) => median(rounds.map((r) => r[i].value));
      const idleConditions = conditionsBetween(samples.idle[0], samples.idle[samples.idle.length - 1]);
      const loadedConditions: Conditions = conditionsBetween(samples.loaded[0], samples.loaded[samples.loaded.length - 1], BUSY_THREADS);
      const [idleShare, loadedShare] = [median(share.idle), median(share.loaded)];
      const expected = idleShare / loadedShare;
      const results: Array<Omit<BenchResult, 'ratio'> & { ratio?: number }> = [];
      process.stderr.write(
        `  a busy thread got ${(idleShare * 100).toFixed(0)}% of a core idle, ${(loadedShare * 100).toFixed(0)}% loaded: losing CPU share alone makes CPU-bound work ${expected.toFixed(2)}x slower\n`,
      );
      idle[0].forEach((figure, i) => {
        const [quiet, busy] = [at(idle, i), at(loaded, i)];
        const slowdown = figure.better === 'lower' ? busy / quiet : quiet / busy;
        const verdict = slowdown > expected * 1.25 ? 'FINDING: degrades more than the CPU share it lost' : 'within the CPU share it lost';
        process.stderr.write(`  ${figure.name}: idle ${quiet.toPrecision(4)} ${figure.unit}, loaded ${busy.toPrecision(4)} ${figure.unit}: slowdown ${slowdown.toFixed(2)}x; ${verdict}\n`);
        results.push({
          name: `loaded vs idle: ${figure.name}`,
          unit: figure.unit,
          value: busy,
          better: figure.better,
          baseline: { name: `same figure, idle (no bench load; expected slowdown from CPU share alone ${expected.toFixed(2)}x)`, value: quiet },
          conditions: loadedConditions,
        });
      });
      const [sl, normal] = [0, 1];
      results.push({
        name: 'loaded: switchless empty ecall p50 vs a normal ecall in the same loaded rounds (target ≤ 1.1x)',
        unit: 'µs',
        value: at(loaded, sl),
        better: 'lower',
        baseline: { name: 'normal empty ecall p50, same loaded rounds', value: at(loaded, normal) },
        conditions: loadedConditions,
      });
      results.push({
        name: 'idle: switchless empty ecall p50 vs a normal ecall in the same idle rounds',
        unit: 'µs',
        value: at(idle, sl),
        better: 'lower',
        baseline: { name: 'normal empty ecall p50, same idle rounds', value: at(idle, normal) },
        conditions: idleConditions,
      });
      return results;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
