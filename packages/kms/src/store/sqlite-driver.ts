/**
 * SQLite through better-sqlite3 (on the host: native addons never run in enclaves). WAL mode
 * with synchronous=FULL: a commit is on disk before it returns. better-sqlite3 is synchronous,
 * so a transaction holds the connection: other statements wait for it to finish.
 */
import Database from 'better-sqlite3';
import { registerSqlDriver, type SqlDriver } from './sql-driver.js';

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
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #busy: Promise<void> = Promise.resolve();
  #inTransaction = false;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(toSqlite(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #query<T>(sql: string, params: unknown[]): T[] {
    const statement = this.#prepare(sql);
    if (!statement.reader) {
      statement.run(named(params));
      return [];
    }
    return statement.all(named(params)).map((r) => toRow<T>(r));
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.#inTransaction) await this.#busy;
    return this.#query<T>(sql, params);
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    if (this.#inTransaction) await this.#busy;
    return this.#prepare(sql).run(named(params)).changes;
  }

  async transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T> {
    while (this.#inTransaction) await this.#busy;
    let release!: () => void;
    this.#busy = new Promise((resolve) => (release = resolve));
    this.#inTransaction = true;
    const tx: SqlDriver = {
      dialect: 'sqlite',
      query: async <R>(sql: string, params: unknown[] = []) => this.#query<R>(sql, params),
      run: async (sql, params = []) => this.#prepare(sql).run(named(params)).changes,
      transaction: (inner) => inner(tx),
      close: async () => undefined,
    };
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(tx);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#inTransaction = false;
      release();
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

registerSqlDriver('sqlite', async (url) => new SqliteDriver(url.slice('sqlite:'.length)));
