/**
 * What rollback protection costs an EKMS state commit (packages/kms README, "Rollback
 * protection"): one audit commit of one record (the unit every API call waits for), alone
 * (baseline) and through the FreshnessGuard (read the node's record, an ecall for the next
 * MACed counter, the record in the same transaction, the node file after the commit), on the
 * same node's storage in the same run. One commit at a time, so each pays its own fsync; on
 * SQLite (synchronous=FULL) and, when installed, PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FreshnessGuard, startEkms, type RunningEkms } from '@secgear/kms';
import { throughput } from './lib/measure.js';
import type { BenchResult, BenchSuite } from './lib/types.js';
import { withPostgresNode } from './lib/postgres.js';

const SECONDS = Number(process.env.EKMS_BENCH_SECONDS ?? 3);

async function measure(label: string, node: RunningEkms, dir: string): Promise<Omit<BenchResult, 'ratio'>> {
  const store = node.service.store;
  const guard = await FreshnessGuard.start({ pool: node.pool, store, file: join(dir, `freshness-bench-${label}.json`), node: `bench-${label}` });
  let seq = 0;
  const row = (node: string) => ({ node, seq: ++seq, time: Date.now(), record: '{"operation":"Encrypt"}', prev_hash: '0'.repeat(64), hash: '1'.repeat(64), seal: null });
  const plain = () => store.appendAudit([row(`bench-plain-${label}`)]);
  const guarded = () => guard.commit((meta) => store.appendAudit([row(`bench-guarded-${label}`)], meta));
  // alternate, so a change in machine load hits both alike
  const plainRates: number[] = [];
  const guardedRates: number[] = [];
  for (let i = 0; i < 2; i++) {
    plainRates.push(await throughput(plain, SECONDS / 2));
    guardedRates.push(await throughput(guarded, SECONDS / 2));
  }
  await guard.flush();
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    name: `EKMS audit commit with rollback protection (${label}, one at a time)`,
    unit: 'commits/s',
    value: mean(guardedRates),
    better: 'higher',
    baseline: { name: `the same audit commit without it (${label})`, value: mean(plainRates) },
  };
}

const suite: BenchSuite = {
  name: 'EKMS rollback protection',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'secgear-bench-kms-freshness-'));
    const logger = pino({ level: 'silent' });
    const results: Array<Omit<BenchResult, 'ratio'>> = [];
    try {
      const sqlite = await startEkms({ dataDir: join(dir, 'sqlite'), poolSize: 1, logger, platformDir: join(dir, 'sim') });
      try {
        results.push(await measure('SQLite', sqlite, dir));
      } finally {
        await sqlite.close();
      }
      const pg = await withPostgresNode({ dataDir: join(dir, 'pg'), poolSize: 1, logger, platformDir: join(dir, 'sim') }, (node) => measure('PostgreSQL', node, dir));
      if (pg) results.push(pg);
      return results;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
