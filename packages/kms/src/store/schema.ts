/** The EKMS tables, one text for both dialects (byte columns differ). */
import type { SqlDriver } from './sql-driver.js';

export const SCHEMA_VERSION = 1;

export function schemaStatements(dialect: SqlDriver['dialect']): string[] {
  const bytes = dialect === 'postgres' ? 'BYTEA' : 'BLOB';
  return [
    `CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value ${bytes} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS tenants (account TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created BIGINT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS access_keys (access_key_id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES tenants(account),
       principal TEXT NOT NULL, wrapped_secret ${bytes} NOT NULL, created BIGINT NOT NULL, revoked BIGINT)`,
    `CREATE TABLE IF NOT EXISTS keys (key_id TEXT PRIMARY KEY, account TEXT NOT NULL REFERENCES tenants(account),
       spec TEXT NOT NULL, usage TEXT NOT NULL, state TEXT NOT NULL, description TEXT NOT NULL, created BIGINT NOT NULL,
       deletion_date BIGINT, pending_window_days INTEGER, current_version INTEGER NOT NULL,
       rotation_enabled INTEGER NOT NULL DEFAULT 0, rotation_period_days INTEGER NOT NULL DEFAULT 365, next_rotation BIGINT,
       policy TEXT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS keys_account ON keys(account, created)`,
    `CREATE TABLE IF NOT EXISTS key_versions (key_id TEXT NOT NULL REFERENCES keys(key_id), version INTEGER NOT NULL,
       wrapped ${bytes} NOT NULL, public_key ${bytes}, created BIGINT NOT NULL, rotation_type TEXT NOT NULL,
       PRIMARY KEY (key_id, version))`,
    `CREATE TABLE IF NOT EXISTS aliases (account TEXT NOT NULL, alias_name TEXT NOT NULL, key_id TEXT NOT NULL REFERENCES keys(key_id),
       created BIGINT NOT NULL, updated BIGINT NOT NULL, PRIMARY KEY (account, alias_name))`,
    `CREATE TABLE IF NOT EXISTS tags (key_id TEXT NOT NULL REFERENCES keys(key_id), tag_key TEXT NOT NULL, tag_value TEXT NOT NULL,
       PRIMARY KEY (key_id, tag_key))`,
    `CREATE TABLE IF NOT EXISTS grants (grant_id TEXT PRIMARY KEY, key_id TEXT NOT NULL REFERENCES keys(key_id), account TEXT NOT NULL,
       name TEXT, grantee TEXT NOT NULL, retiring TEXT, operations TEXT NOT NULL, constraints TEXT, token TEXT NOT NULL,
       issuer TEXT NOT NULL, created BIGINT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS grants_key ON grants(key_id)`,
    `CREATE TABLE IF NOT EXISTS audit (node TEXT NOT NULL, seq BIGINT NOT NULL, time BIGINT NOT NULL, record TEXT NOT NULL,
       prev_hash TEXT NOT NULL, hash TEXT NOT NULL, seal TEXT, PRIMARY KEY (node, seq))`,
  ];
}

export async function migrate(db: SqlDriver): Promise<void> {
  await db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(120012)');
    for (const statement of schemaStatements(db.dialect)) await tx.run(statement);
  });
}
