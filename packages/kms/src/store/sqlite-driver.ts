/**
 * SQLite through better-sqlite3 (on the host: native addons never run in enclaves). WAL mode
 * with synchronous=FULL: a commit is on disk before it returns. Writes and transactions run on
 * a writer thread (sqlite-writer.ts) so an fsync never stops the main thread; reads run on the
 * main thread's own connection. One transaction at a time: other statements wait for it.
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { registerSqlDriver, type SqlDriver } from './sql-driver.js';
import type { WriterData, WriterRequest, WriterResponse } from './sqlite-writer.js';

// `$1` placeholders become named parameters (`@p1`), which may repeat in one statement
const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, '@p$1');
const named = (params: unknown[]) => Object.fromEntries(params.map((v, i) => [`p${i + 1}`, normalize(v)]));

function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

function toRow<T>(row: unknown): T {
  const out = row as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (Buffer.isBuffer(v)) out[k] = new Uint8Array(v);
  return out as T;
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  /** The main thread's connection: reads only (writes go to the writer thread). */
  readonly #reader: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #writer: Worker;
  readonly #pending = new Map<number, { resolve: (r: WriterResponse & { ok: true }) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #writerFailure: Error | null = null;
  #busy: Promise<void> = Promise.resolve();
  #inTransaction = false;

  constructor(path: string) {
    this.#reader = new Database(path);
    this.#reader.pragma('journal_mode = WAL');
    this.#reader.pragma('busy_timeout = 5000');
    this.#writer = new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData: { path } satisfies WriterData });
    this.#writer.unref(); // referenced only while a write is in flight
    this.#writer.on('message', (response: WriterResponse) => this.#settle(response));
    this.#writer.on('error', (error) => this.#failWriter(new Error(`the SQLite writer thread failed: ${error.message}`)));
    this.#writer.on('exit', (code) => this.#failWriter(new Error(`the SQLite writer thread exited (code ${code})`)));
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#reader.prepare(toSqlite(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Sends one request to the writer; requests run there in the order they are sent. */
  #write(request: DistributiveOmit<WriterRequest, 'id'>): Promise<WriterResponse & { ok: true }> {
    if (this.#writerFailure) return Promise.reject(this.#writerFailure);
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#writer.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#writer.postMessage({ ...request, id } as WriterRequest);
    });
  }

  #settle(response: WriterResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0) this.#writer.unref();
    if (response.ok) pending.resolve(response);
    else pending.reject(Object.assign(new Error(response.message), response.code ? { code: response.code } : {}));
  }

  #failWriter(error: Error): void {
    this.#writerFailure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  async #writerQuery<T>(sql: string, params: unknown[]): Promise<{ rows: T[]; changes: number }> {
    const response = await this.#write({ op: 'query', sql: toSqlite(sql), params: named(params) });
    return { rows: response.rows.map((r) => toRow<T>(r)), changes: response.changes };
  }

  // Outside a transaction, a statement waits for the open one and is sent in the same turn as
  // the check (an `await` between them would let a waiting transaction BEGIN first and take it in).
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    while (this.#inTransaction) await this.#busy;
    const statement = this.#prepare(sql);
    if (statement.reader) return statement.all(named(params)).map((r) => toRow<T>(r));
    return (await this.#writerQuery<T>(sql, params)).rows;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    while (this.#inTransaction) await this.#busy;
    return (await this.#writerQuery(sql, params)).changes;
  }

  async transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T> {
    while (this.#inTransaction) await this.#busy;
    let release!: () => void;
    this.#busy = new Promise((resolve) => (release = resolve));
    this.#inTransaction = true;
    // inside: every statement goes to the writer, which holds the transaction (and sees its writes)
    const tx: SqlDriver = {
      dialect: 'sqlite',
      query: async <R>(sql: string, params: unknown[] = []) => (await this.#writerQuery<R>(sql, params)).rows,
      run: async (sql, params = []) => (await this.#writerQuery(sql, params)).changes,
      transaction: (inner) => inner(tx),
      close: async () => undefined,
    };
    try {
      await this.#write({ op: 'begin' });
      const result = await work(tx);
      await this.#write({ op: 'commit' });
      return result;
    } catch (error) {
      await this.#write({ op: 'rollback' }).catch(() => undefined);
      throw error;
    } finally {
      this.#inTransaction = false;
      release();
    }
  }

  async close(): Promise<void> {
    if (!this.#writerFailure) {
      const closing = this.#write({ op: 'close' });
      // from now on every call says "closed", whichever of the reply or the thread's exit comes first
      this.#writerFailure = new Error('the SQLite store is closed');
      await closing.catch(() => undefined);
    }
    await this.#writer.terminate();
    if (this.#reader.open) this.#reader.close();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

registerSqlDriver('sqlite', async (url) => new SqliteDriver(url.slice('sqlite:'.length)));
