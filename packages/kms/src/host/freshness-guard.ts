/**
 * The host side of rollback protection (see enclave/freshness.ts). At start it hands the
 * enclave this node's freshness statement from the database and from the node-local file. Each
 * state commit then runs under one lock: read the database's statement, ask the enclave for
 * the next one (it checks the database did not go back), write it in the same transaction as
 * the commit, then to the file (temp file, fsync, rename), so the database is never behind the
 * file except after a rollback. One lock per node keeps the stored counters in issue order.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { ErrorCode, SecGearError } from 'secgear';
import type { FreshnessStatement } from '../common/protocol.js';
import type { KmsStore } from '../store/kms-store.js';
import type { EnclavePool } from './enclave-pool.js';

export interface FreshnessMeta {
  name: string;
  value: Uint8Array;
}

function parseStatement(text: string, where: string): FreshnessStatement {
  try {
    return JSON.parse(text) as FreshnessStatement;
  } catch {
    throw new SecGearError(ErrorCode.INVALID_SEALED_DATA, `the freshness record in ${where} is not JSON: it was damaged (restore it, or delete it to accept the database as it is)`);
  }
}

export class FreshnessGuard {
  #lock: Promise<unknown> = Promise.resolve();
  #committed: number;

  private constructor(
    private readonly pool: EnclavePool,
    private readonly store: KmsStore,
    readonly file: string,
    readonly metaName: string,
    counter: number,
  ) {
    this.#committed = counter;
  }

  /** Checks the stored state is not older than this node last acknowledged; throws CC_ERROR_STATE_ROLLBACK otherwise. */
  static async start(options: { pool: EnclavePool; store: KmsStore; file: string; node: string }): Promise<FreshnessGuard> {
    const metaName = `freshness:${options.node}`;
    const database = await FreshnessGuard.#readDatabase(options.store, metaName);
    const file = existsSync(options.file) ? parseStatement(readFileSync(options.file, 'utf8'), options.file) : undefined;
    const currentLsn = options.store.dialect === 'postgres' ? await options.store.currentLsn() : undefined;
    const { counter } = await options.pool.freshnessStart({ node: options.node, database, file, currentLsn });
    const guard = new FreshnessGuard(options.pool, options.store, options.file, metaName, counter);
    // both copies current from the start (a lost node file is written again)
    await guard.advance();
    return guard;
  }

  static async #readDatabase(store: KmsStore, name: string): Promise<FreshnessStatement | undefined> {
    const stored = await store.getMeta(name);
    return stored ? parseStatement(new TextDecoder().decode(stored), `the database (meta ${name})`) : undefined;
  }

  /**
   * Runs one state commit: `write` must store `meta` in the same transaction as the state it
   * commits. Rejects (and writes nothing) when the database went back under this node.
   */
  commit<T>(write: (meta: FreshnessMeta) => Promise<T>): Promise<T> {
    const run = this.#lock.then(async () => {
      const database = await FreshnessGuard.#readDatabase(this.store, this.metaName);
      const lsn = this.store.dialect === 'postgres' ? await this.store.currentLsn() : undefined;
      const statement = await this.pool.freshnessNext({ database, committed: this.#committed, ...(lsn ? { lsn } : {}) });
      const result = await write({ name: this.metaName, value: new TextEncoder().encode(JSON.stringify(statement)) });
      this.#committed = statement.counter;
      this.#persist(statement);
      return result;
    });
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** A commit of nothing but the counter: after writes that have no audit record (admin API, maintenance). */
  advance(): Promise<void> {
    return this.commit((meta) => this.store.putMeta(meta.name, meta.value));
  }

  #persist(statement: FreshnessStatement): void {
    const temp = `${this.file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(statement));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
  }
}
