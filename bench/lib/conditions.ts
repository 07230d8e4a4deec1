/**
 * The machine's conditions around a measurement: load average, cores, Node version. A figure
 * measured while the load average was above the core count is marked "noisy": other work was
 * waiting for a CPU, so the figure says as much about that work as about ours.
 */
import { availableParallelism, loadavg } from 'node:os';

export interface LoadSample {
  /** 1-, 5- and 15-minute load averages. */
  load: [number, number, number];
  cores: number;
}

export interface Conditions {
  /** Highest 1-minute load average seen at the start or end of the measurement. */
  load: number;
  loadAtStart: number;
  loadAtEnd: number;
  cores: number;
  node: string;
  /** load > cores. */
  noisy: boolean;
  /** Busy-loop threads the bench itself ran during the measurement (loaded runs), else 0. */
  benchLoadThreads: number;
}

export function sampleLoad(): LoadSample {
  const [a, b, c] = loadavg();
  return { load: [round2(a), round2(b), round2(c)], cores: availableParallelism() };
}

export function conditionsBetween(start: LoadSample, end: LoadSample, benchLoadThreads = 0): Conditions {
  const load = Math.max(start.load[0], end.load[0]);
  return { load, loadAtStart: start.load[0], loadAtEnd: end.load[0], cores: end.cores, node: process.version, noisy: load > end.cores, benchLoadThreads };
}

export function describeLoad(sample: LoadSample): string {
  const [a, b, c] = sample.load;
  const busy = a > sample.cores ? ` — above the core count: figures are noisy` : '';
  return `load average ${a} / ${b} / ${c} (1/5/15 min) on ${sample.cores} cores, node ${process.version}${busy}`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
