import pg from 'pg';
import { ErrorCode, SecGearError } from 'secgear/errors';
import { likePrefix, type ChallengeRecord, type RecordKind, type Store } from './types.js';

/**
 * PostgreSQL store, for several service nodes behind one load balancer: a challenge issued by
 * one node is taken (once) by whichever node receives the evidence, and policies, reference
 * values, resources and every node's public signing key are seen by all.
 */
export class PostgresStore implements Store {
  private pool: pg.Pool | null = null;

  constructor(private readonly config: string | pg.PoolConfig) {}

  private get handle(): pg.Pool {
    if (!this.pool) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'the PostgreSQL store is not open (call init first, and not after close)');
    return this.pool;
  }

  async init(): Promise<void> {
    this.pool = new pg.Pool(typeof this.config === 'string' ? { connectionString: this.config, max: 8 } : this.config);
    // an idle client's connection error must not crash the process; the next query reports it
    this.pool.on('error', () => undefined);
    const client = await this.pool.connect().catch(async (error: unknown) => {
      await this.close();
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot use the PostgreSQL database: ${(error as Error).message}`, { cause: error });
    });
    try {
      // nodes starting together would race on CREATE TABLE IF NOT EXISTS (it is not atomic in
      // PostgreSQL): one transaction-scoped advisory lock serialises schema creation
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(130013)');
      await client.query(`
        CREATE TABLE IF NOT EXISTS challenges (challenge TEXT PRIMARY KEY, session TEXT NOT NULL, expires_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key));
      `);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      await this.close();
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot use the PostgreSQL database: ${(error as Error).message}`, { cause: error });
    }
    client.release();
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  async putChallenge(r: ChallengeRecord): Promise<void> {
    await this.handle.query('INSERT INTO challenges (challenge, session, expires_at) VALUES ($1, $2, $3)', [r.challenge, r.session, r.expiresAt]);
  }

  async takeChallenge(challenge: string): Promise<ChallengeRecord | null> {
    const { rows } = await this.handle.query('DELETE FROM challenges WHERE challenge = $1 RETURNING challenge, session, expires_at', [challenge]);
    const row = rows[0] as { challenge: string; session: string; expires_at: string } | undefined;
    return row ? { challenge: row.challenge, session: row.session, expiresAt: Number(row.expires_at) } : null;
  }

  async purgeChallenges(now: number): Promise<number> {
    return (await this.handle.query('DELETE FROM challenges WHERE expires_at < $1', [now])).rowCount ?? 0;
  }

  async put(kind: RecordKind, key: string, value: unknown): Promise<void> {
    await this.handle.query(
      'INSERT INTO records (kind, key, value) VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value',
      [kind, key, JSON.stringify(value)],
    );
  }

  async get<T>(kind: RecordKind, key: string): Promise<T | null> {
    const { rows } = await this.handle.query('SELECT value FROM records WHERE kind = $1 AND key = $2', [kind, key]);
    return rows[0] ? (JSON.parse((rows[0] as { value: string }).value) as T) : null;
  }

  async list<T>(kind: RecordKind, prefix?: string): Promise<{ key: string; value: T }[]> {
    const { rows } =
      prefix === undefined
        ? await this.handle.query('SELECT key, value FROM records WHERE kind = $1 ORDER BY key', [kind])
        : await this.handle.query("SELECT key, value FROM records WHERE kind = $1 AND key LIKE $2 ESCAPE '\\' ORDER BY key", [kind, likePrefix(prefix)]);
    return (rows as { key: string; value: string }[]).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
  }

  async delete(kind: RecordKind, key: string): Promise<boolean> {
    return ((await this.handle.query('DELETE FROM records WHERE kind = $1 AND key = $2', [kind, key])).rowCount ?? 0) > 0;
  }

  async clear(kind: RecordKind, prefix?: string): Promise<number> {
    const result =
      prefix === undefined
        ? await this.handle.query('DELETE FROM records WHERE kind = $1', [kind])
        : await this.handle.query("DELETE FROM records WHERE kind = $1 AND key LIKE $2 ESCAPE '\\'", [kind, likePrefix(prefix)]);
    return result.rowCount ?? 0;
  }
}
