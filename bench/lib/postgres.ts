/**
 * A throwaway PostgreSQL for the storage benchmarks: the kms test suite's own helper (initdb and
 * pg_ctl in a temp folder), taken from the compiled tests. Undefined, with the reason on
 * stderr, when PostgreSQL is not installed or cannot start: those figures are then skipped.
 */
import { startEkms, type EkmsOptions, type RunningEkms } from '@secgear/kms';

export interface BenchPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres | undefined> {
  try {
    // compiled to bench/dist/lib/
    const helper = new URL('../../../packages/kms/dist/test/helpers/postgres.js', import.meta.url).href;
    const { startPostgres, postgresBinDir } = (await import(helper)) as typeof import('../../packages/kms/dist/test/helpers/postgres.js');
    if (postgresBinDir()) return await startPostgres();
    process.stderr.write('  PostgreSQL not installed: its figures are skipped\n');
  } catch (error) {
    process.stderr.write(`  PostgreSQL could not start (${(error as Error).message}): its figures are skipped\n`);
  }
  return undefined;
}

/**
 * Runs `work` on an EKMS node over a throwaway PostgreSQL, then stops both. Undefined when
 * PostgreSQL is not available (the reason is on stderr).
 */
export async function withPostgresNode<T>(options: Omit<EkmsOptions, 'storage'>, work: (node: RunningEkms) => Promise<T>): Promise<T | undefined> {
  const postgres = await startBenchPostgres();
  if (!postgres) return undefined;
  try {
    const node = await startEkms({ ...options, storage: postgres.url });
    try {
      return await work(node);
    } finally {
      await node.close();
    }
  } finally {
    await postgres.stop();
  }
}
