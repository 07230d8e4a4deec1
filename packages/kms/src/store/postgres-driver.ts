/**
 * PostgreSQL through `pg`, for several EKMS nodes on one database. Every statement outside a
 * transaction commits on its own; transactions take a pooled client for their duration.
 */
import pg from 'pg';
import { registerSqlDriver, type SqlDriver } from './sql-driver.js';

// BIGINT (epoch seconds, sequence numbers) as numbers: every value we store fits in 2^53
pg.types.setTypeParser(20, (value: string) => Number(value));

function toRow<T>(row: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(row)) if (Buffer.isBuffer(v)) row[k] = new Uint8Array(v);
  return row as T;
}

const normalize = (value: unknown) => (value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value);

class ClientDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  constructor(private readonly client: pg.PoolClient | pg.Pool) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.client.query(sql, params.map(normalize));
    return result.rows.map((r) => toRow<T>(r));
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(sql, params.map(normalize))).rowCount ?? 0;
  }

  transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return work(this);
  }

  async close(): Promise<void> {}
}

export class PostgresDriver extends ClientDriver {
  readonly #pool: pg.Pool;

  constructor(url: string, poolSize = 10) {
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    // an idle client's connection dying (server restart) must not crash the process
    pool.on('error', () => undefined);
    super(pool);
    this.#pool = pool;
  }

  override async transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(new ClientDriver(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.#pool.end();
  }
}

registerSqlDriver('postgres', async (url) => new PostgresDriver(url));
