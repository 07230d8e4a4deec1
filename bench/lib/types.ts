import type { Conditions } from './conditions.js';

/** One measured figure beside its baseline, measured in the same process run. */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  better: 'lower' | 'higher';
  baseline: { name: string; value: number };
  /** value / baseline.value */
  ratio: number;
  /** Load, cores and Node version while it was measured (run.ts fills it in when a suite does not). */
  conditions?: Conditions;
}

/** A bench file (`bench/<area>.bench.ts`) default-exports one suite. */
export interface BenchSuite {
  name: string;
  run(): Promise<Array<Omit<BenchResult, 'ratio'> & { ratio?: number }>>;
}
