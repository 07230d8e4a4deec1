import Database from 'better-sqlite3';
import { ErrorCode, SecGearError } from 'secgear/errors';
import { likePrefix, type ChallengeRecord, type RecordKind, type Store } from './types.js';

/**
 * SQLite store (better-sqlite3, synchronous underneath; one node). `:memory:` gives a
 * private database per instance, which tests use. WAL mode lets readers run beside the writer.
 */
export class SqliteStore implements Store {
  private db: Database.Database | null = null;

  constructor(private readonly path: string) {}

  private get handle(): Database.Database {
    if (!this.db) throw new SecGearError(ErrorCode.PROTOCOL_STATE, 'the SQLite store is not open (call init first, and not after close)');
    return this.db;
  }

  async init(): Promise<void> {
    try {
      this.db = new Database(this.path);
    } catch (error) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot open the SQLite database ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    if (this.path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS challenges (challenge TEXT PRIMARY KEY, session TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key));
    `);
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }

  async putChallenge(r: ChallengeRecord): Promise<void> {
    this.handle.prepare('INSERT INTO challenges (challenge, session, expires_at) VALUES (?, ?, ?)').run(r.challenge, r.session, r.expiresAt);
  }

  async takeChallenge(challenge: string): Promise<ChallengeRecord | null> {
    const row = this.handle.prepare('DELETE FROM challenges WHERE challenge = ? RETURNING challenge, session, expires_at').get(challenge) as
      | { challenge: string; session: string; expires_at: number }
      | undefined;
    return row ? { challenge: row.challenge, session: row.session, expiresAt: Number(row.expires_at) } : null;
  }

  async purgeChallenges(now: number): Promise<number> {
    return this.handle.prepare('DELETE FROM challenges WHERE expires_at < ?').run(now).changes;
  }

  async put(kind: RecordKind, key: string, value: unknown): Promise<void> {
    this.handle
      .prepare('INSERT INTO records (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value')
      .run(kind, key, JSON.stringify(value));
  }

  async get<T>(kind: RecordKind, key: string): Promise<T | null> {
    const row = this.handle.prepare('SELECT value FROM records WHERE kind = ? AND key = ?').get(kind, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async list<T>(kind: RecordKind, prefix?: string): Promise<{ key: string; value: T }[]> {
    const rows = (
      prefix === undefined
        ? this.handle.prepare('SELECT key, value FROM records WHERE kind = ? ORDER BY key').all(kind)
        : this.handle.prepare("SELECT key, value FROM records WHERE kind = ? AND key LIKE ? ESCAPE '\\' ORDER BY key").all(kind, likePrefix(prefix))
    ) as { key: string; value: string }[];
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
  }

  async delete(kind: RecordKind, key: string): Promise<boolean> {
    return this.handle.prepare('DELETE FROM records WHERE kind = ? AND key = ?').run(kind, key).changes > 0;
  }

  async clear(kind: RecordKind, prefix?: string): Promise<number> {
    return prefix === undefined
      ? this.handle.prepare('DELETE FROM records WHERE kind = ?').run(kind).changes
      : this.handle.prepare("DELETE FROM records WHERE kind = ? AND key LIKE ? ESCAPE '\\'").run(kind, likePrefix(prefix)).changes;
  }
}
