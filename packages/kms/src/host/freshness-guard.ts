/**
 * The host side of rollback protection (see enclave/freshness.ts). At start it hands the
 * enclave this node's freshness statement from the database and from the node-local file. Each
 * state commit then runs under one lock: read the database's statement, ask an enclave for the
 * next one (it checks the database did not go back), write it in the same transaction as the
 * commit. The node-local file follows behind the commit (temp file, fsync, rename, off the
 * event loop; coalesced to the newest), so the database is never behind the file except after
 * a rollback, and no request waits for a second fsync.
 */
import { open, rename } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
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
  #fileWanted: FreshnessStatement | undefined;
  #fileWriting: Promise<void> | undefined;
  #fileError: unknown;

  private constructor(
    private readonly pool: EnclavePool,
    private readonly store: KmsStore,
    readonly file: string,
    readonly node: string,
    counter: number,
  ) {
    this.#committed = counter;
  }

  get metaName(): string {
    return `freshness:${this.node}`;
  }

  /** Checks the stored state is not older than this node last acknowledged; throws CC_ERROR_STATE_ROLLBACK otherwise. */
  static async start(options: { pool: EnclavePool; store: KmsStore; file: string; node: string }): Promise<FreshnessGuard> {
    const { database, lsn: currentLsn } = await FreshnessGuard.#readDatabase(options.store, `freshness:${options.node}`);
    const file = existsSync(options.file) ? parseStatement(readFileSync(options.file, 'utf8'), options.file) : undefined;
    const { counter } = await options.pool.freshnessStart({ node: options.node, database, file, currentLsn });
    if (!Number.isSafeInteger(counter) || counter < 0) throw new SecGearError(ErrorCode.GENERIC, 'the enclave returned a malformed freshness counter');
    const guard = new FreshnessGuard(options.pool, options.store, options.file, options.node, counter);
    // both copies current from the start (a lost node file is written again)
    await guard.advance();
    await guard.flush();
    return guard;
  }

  /** This node's record in the database and (PostgreSQL) the log position now, in one query. */
  static async #readDatabase(store: KmsStore, name: string): Promise<{ database: FreshnessStatement | undefined; lsn: string | undefined }> {
    const { value, lsn } = await store.metaWithLsn(name);
    return { database: value ? parseStatement(new TextDecoder().decode(value), `the database (meta ${name})`) : undefined, lsn };
  }

  /**
   * Runs one state commit: `write` must store `meta` in the same transaction as the state it
   * commits. Rejects (and writes nothing) when the database went back under this node.
   */
  commit<T>(write: (meta: FreshnessMeta) => Promise<T>): Promise<T> {
    const run = this.#lock.then(async () => {
      if (this.#fileError) throw this.#fileError;
      const { database, lsn } = await FreshnessGuard.#readDatabase(this.store, this.metaName);
      const statement = await this.pool.freshnessNext({ node: this.node, database, committed: this.#committed, ...(lsn ? { lsn } : {}) });
      if (!statement || !Number.isSafeInteger(statement.counter) || statement.counter <= this.#committed || typeof statement.mac !== 'string') {
        throw new SecGearError(ErrorCode.GENERIC, 'the enclave returned a malformed freshness record');
      }
      const result = await write({ name: this.metaName, value: new TextEncoder().encode(JSON.stringify(statement)) });
      this.#committed = statement.counter;
      this.#fileWanted = statement;
      this.#fileWriting ??= this.#writeFile();
      return result;
    });
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** A commit of nothing but the counter: after writes that have no audit record (admin API, maintenance). */
  advance(): Promise<void> {
    return this.commit((meta) => this.store.putMeta(meta.name, meta.value));
  }

  /** Waits until the node file holds the newest committed statement (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.#fileWriting) await this.#fileWriting;
    if (this.#fileError) throw this.#fileError;
  }

  async #writeFile(): Promise<void> {
    try {
      while (this.#fileWanted) {
        const statement = this.#fileWanted;
        this.#fileWanted = undefined;
        const temp = `${this.file}.tmp`;
        const handle = await open(temp, 'w', 0o600);
        try {
          await handle.writeFile(JSON.stringify(statement));
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, this.file);
      }
    } catch (error) {
      // a node that cannot keep its counter file stops acknowledging writes (next commit throws)
      this.#fileError = new SecGearError(ErrorCode.GENERIC, `cannot write the freshness file ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#fileWriting = undefined;
    }
  }
}
