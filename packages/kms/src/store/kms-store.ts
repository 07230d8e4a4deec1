/** The records EKMS keeps, over one SqlDriver. Secrets appear here only wrapped by the enclave. */
import { migrate } from './schema.js';
import type { SqlDriver } from './sql-driver.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Creating';

export interface KeyRow {
  key_id: string;
  account: string;
  spec: string;
  usage: string;
  state: KeyState;
  description: string;
  created: number;
  deletion_date: number | null;
  pending_window_days: number | null;
  current_version: number;
  rotation_enabled: number;
  rotation_period_days: number;
  next_rotation: number | null;
  policy: string;
}

export interface KeyVersionRow {
  key_id: string;
  version: number;
  wrapped: Uint8Array;
  public_key: Uint8Array | null;
  created: number;
  rotation_type: string;
}

export interface AccessKeyRow {
  access_key_id: string;
  account: string;
  principal: string;
  wrapped_secret: Uint8Array;
  created: number;
  revoked: number | null;
}

export interface TenantRow {
  account: string;
  name: string;
  created: number;
}

export interface AliasRow {
  account: string;
  alias_name: string;
  key_id: string;
  created: number;
  updated: number;
}

export interface GrantRow {
  grant_id: string;
  key_id: string;
  account: string;
  name: string | null;
  grantee: string;
  retiring: string | null;
  operations: string;
  constraints: string | null;
  token: string;
  issuer: string;
  created: number;
}

export interface AuditRow {
  node: string;
  seq: number;
  time: number;
  record: string;
  prev_hash: string;
  hash: string;
  seal: string | null;
}

const KEY_UPDATABLE = ['state', 'description', 'deletion_date', 'pending_window_days', 'current_version', 'rotation_enabled', 'rotation_period_days', 'next_rotation', 'policy'] as const;
export type KeyUpdate = Partial<Pick<KeyRow, (typeof KEY_UPDATABLE)[number]>>;

export class KmsStore {
  private constructor(readonly db: SqlDriver) {}

  static async open(db: SqlDriver): Promise<KmsStore> {
    await migrate(db);
    return new KmsStore(db);
  }

  get dialect(): SqlDriver['dialect'] {
    return this.db.dialect;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // meta
  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return (await this.db.query<{ value: Uint8Array }>('SELECT value FROM meta WHERE name = $1', [name]))[0]?.value;
  }
  /** Stores `value` unless the name is already set; returns the value that is stored now. */
  async putMetaOnce(name: string, value: Uint8Array): Promise<Uint8Array> {
    await this.db.run('INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.getMeta(name))!;
  }
  /** Stores `value` under `name`, replacing what is there. */
  async putMeta(name: string, value: Uint8Array): Promise<void> {
    await this.db.run('INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
  }

  // tenants and access keys
  async createTenant(row: TenantRow): Promise<void> {
    await this.db.run('INSERT INTO tenants (account, name, created) VALUES ($1, $2, $3)', [row.account, row.name, row.created]);
  }
  listTenants(): Promise<TenantRow[]> {
    return this.db.query<TenantRow>('SELECT account, name, created FROM tenants ORDER BY created, account');
  }
  async getTenant(accountOrName: string): Promise<TenantRow | undefined> {
    return (await this.db.query<TenantRow>('SELECT account, name, created FROM tenants WHERE account = $1 OR name = $1', [accountOrName]))[0];
  }
  async insertAccessKey(row: AccessKeyRow): Promise<void> {
    await this.db.run('INSERT INTO access_keys (access_key_id, account, principal, wrapped_secret, created, revoked) VALUES ($1, $2, $3, $4, $5, NULL)', [
      row.access_key_id, row.account, row.principal, row.wrapped_secret, row.created,
    ]);
  }
  async getAccessKey(id: string): Promise<AccessKeyRow | undefined> {
    return (await this.db.query<AccessKeyRow>('SELECT * FROM access_keys WHERE access_key_id = $1', [id]))[0];
  }
  listAccessKeys(account: string): Promise<AccessKeyRow[]> {
    return this.db.query<AccessKeyRow>('SELECT access_key_id, account, principal, created, revoked FROM access_keys WHERE account = $1 ORDER BY created', [account]);
  }
  async revokeAccessKey(id: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE access_keys SET revoked = $2 WHERE access_key_id = $1 AND revoked IS NULL', [id, at])) > 0;
  }

  // keys
  async insertKey(key: KeyRow, version: KeyVersionRow): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO keys (key_id, account, spec, usage, state, description, created, deletion_date, pending_window_days, current_version,
           rotation_enabled, rotation_period_days, next_rotation, policy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [key.key_id, key.account, key.spec, key.usage, key.state, key.description, key.created, key.deletion_date, key.pending_window_days,
          key.current_version, key.rotation_enabled, key.rotation_period_days, key.next_rotation, key.policy],
      );
      await insertVersion(tx, version);
    });
  }
  async getKey(keyId: string): Promise<KeyRow | undefined> {
    return (await this.db.query<KeyRow>('SELECT * FROM keys WHERE key_id = $1', [keyId]))[0];
  }
  /** A tenant's keys in creation order, `limit` of them after `marker` (a key id). */
  listKeys(account: string, limit: number, after?: { created: number; keyId: string }): Promise<KeyRow[]> {
    if (!after) return this.db.query<KeyRow>('SELECT * FROM keys WHERE account = $1 ORDER BY created, key_id LIMIT $2', [account, limit]);
    return this.db.query<KeyRow>(
      'SELECT * FROM keys WHERE account = $1 AND (created > $2 OR (created = $2 AND key_id > $3)) ORDER BY created, key_id LIMIT $4',
      [account, after.created, after.keyId, limit],
    );
  }
  async updateKey(keyId: string, update: KeyUpdate): Promise<void> {
    const fields = KEY_UPDATABLE.filter((f) => f in update);
    if (fields.length === 0) return;
    const sets = fields.map((f, i) => `${f} = $${i + 2}`).join(', ');
    await this.db.run(`UPDATE keys SET ${sets} WHERE key_id = $1`, [keyId, ...fields.map((f) => update[f] ?? null)]);
  }
  async getKeyVersion(keyId: string, version: number): Promise<KeyVersionRow | undefined> {
    return (await this.db.query<KeyVersionRow>('SELECT * FROM key_versions WHERE key_id = $1 AND version = $2', [keyId, version]))[0];
  }
  listKeyVersions(keyId: string): Promise<KeyVersionRow[]> {
    return this.db.query<KeyVersionRow>('SELECT key_id, version, created, rotation_type FROM key_versions WHERE key_id = $1 ORDER BY version', [keyId]);
  }
  /** Rotations of a key (versions after the first), `limit` of them after version `after`. */
  listRotations(keyId: string, limit: number, after = 1): Promise<KeyVersionRow[]> {
    return this.db.query<KeyVersionRow>(
      'SELECT key_id, version, created, rotation_type FROM key_versions WHERE key_id = $1 AND version > $2 ORDER BY version LIMIT $3',
      [keyId, Math.max(after, 1), limit],
    );
  }
  /** Adds a version and makes it current, unless another node rotated first (then false). */
  async addKeyVersion(version: KeyVersionRow, update: KeyUpdate): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run('UPDATE keys SET current_version = $2 WHERE key_id = $1 AND current_version = $3', [version.key_id, version.version, version.version - 1]);
      if (changed === 0) return false;
      await insertVersion(tx, version);
      const fields = KEY_UPDATABLE.filter((f) => f in update && f !== 'current_version');
      if (fields.length) await tx.run(`UPDATE keys SET ${fields.map((f, i) => `${f} = $${i + 2}`).join(', ')} WHERE key_id = $1`, [version.key_id, ...fields.map((f) => update[f] ?? null)]);
      return true;
    });
  }
  /** Removes a key and everything about it (the end of its deletion window). */
  async deleteKey(keyId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const table of ['key_versions', 'aliases', 'tags', 'grants']) await tx.run(`DELETE FROM ${table} WHERE key_id = $1`, [keyId]);
      await tx.run('DELETE FROM keys WHERE key_id = $1', [keyId]);
    });
  }
  keysDueForDeletion(now: number): Promise<KeyRow[]> {
    return this.db.query<KeyRow>("SELECT * FROM keys WHERE state = 'PendingDeletion' AND deletion_date <= $1", [now]);
  }
  keysDueForRotation(now: number): Promise<KeyRow[]> {
    return this.db.query<KeyRow>("SELECT * FROM keys WHERE rotation_enabled = 1 AND state = 'Enabled' AND next_rotation <= $1", [now]);
  }

  // aliases
  async getAlias(account: string, name: string): Promise<AliasRow | undefined> {
    return (await this.db.query<AliasRow>('SELECT * FROM aliases WHERE account = $1 AND alias_name = $2', [account, name]))[0];
  }
  async createAlias(row: AliasRow): Promise<boolean> {
    return (await this.db.run('INSERT INTO aliases (account, alias_name, key_id, created, updated) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account, alias_name) DO NOTHING', [
      row.account, row.alias_name, row.key_id, row.created, row.updated,
    ])) > 0;
  }
  async updateAlias(account: string, name: string, keyId: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE aliases SET key_id = $3, updated = $4 WHERE account = $1 AND alias_name = $2', [account, name, keyId, at])) > 0;
  }
  async deleteAlias(account: string, name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM aliases WHERE account = $1 AND alias_name = $2', [account, name])) > 0;
  }
  listAliases(account: string, keyId?: string): Promise<AliasRow[]> {
    return keyId
      ? this.db.query<AliasRow>('SELECT * FROM aliases WHERE account = $1 AND key_id = $2 ORDER BY alias_name', [account, keyId])
      : this.db.query<AliasRow>('SELECT * FROM aliases WHERE account = $1 ORDER BY alias_name', [account]);
  }

  /** A page of aliases in name order, after the name `after`. */
  listAliasesPage(account: string, keyId: string | undefined, limit: number, after = ''): Promise<AliasRow[]> {
    return keyId
      ? this.db.query<AliasRow>('SELECT * FROM aliases WHERE account = $1 AND key_id = $2 AND alias_name > $3 ORDER BY alias_name LIMIT $4', [account, keyId, after, limit])
      : this.db.query<AliasRow>('SELECT * FROM aliases WHERE account = $1 AND alias_name > $2 ORDER BY alias_name LIMIT $3', [account, after, limit]);
  }

  // tags
  async setTags(keyId: string, tags: Array<[string, string]>): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const [k, v] of tags) {
        await tx.run('INSERT INTO tags (key_id, tag_key, tag_value) VALUES ($1, $2, $3) ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value', [keyId, k, v]);
      }
    });
  }
  async removeTags(keyId: string, keys: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const k of keys) await tx.run('DELETE FROM tags WHERE key_id = $1 AND tag_key = $2', [keyId, k]);
    });
  }
  listTags(keyId: string): Promise<Array<{ tag_key: string; tag_value: string }>> {
    return this.db.query('SELECT tag_key, tag_value FROM tags WHERE key_id = $1 ORDER BY tag_key', [keyId]);
  }

  /** A page of a key's tags in tag-key order, after the tag key `after`. */
  listTagsPage(keyId: string, limit: number, after = ''): Promise<Array<{ tag_key: string; tag_value: string }>> {
    return this.db.query('SELECT tag_key, tag_value FROM tags WHERE key_id = $1 AND tag_key > $2 ORDER BY tag_key LIMIT $3', [keyId, after, limit]);
  }

  // grants
  async insertGrant(row: GrantRow): Promise<void> {
    await this.db.run(
      'INSERT INTO grants (grant_id, key_id, account, name, grantee, retiring, operations, constraints, token, issuer, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [row.grant_id, row.key_id, row.account, row.name, row.grantee, row.retiring, row.operations, row.constraints, row.token, row.issuer, row.created],
    );
  }
  listGrants(keyId: string): Promise<GrantRow[]> {
    return this.db.query<GrantRow>('SELECT * FROM grants WHERE key_id = $1 ORDER BY created, grant_id', [keyId]);
  }
  /** A page of a key's grants in creation order, optionally only one grant id or one grantee. */
  listGrantsPage(keyId: string, filter: { grantId?: string; grantee?: string }, limit: number, after?: { created: number; grantId: string }): Promise<GrantRow[]> {
    const where = ['key_id = $1'];
    const values: unknown[] = [keyId];
    const add = (clause: (n: number) => string, ...v: unknown[]) => {
      where.push(clause(values.length + 1));
      values.push(...v);
    };
    if (filter.grantId !== undefined) add((n) => `grant_id = $${n}`, filter.grantId);
    if (filter.grantee !== undefined) add((n) => `grantee = $${n}`, filter.grantee);
    if (after) add((n) => `(created > $${n} OR (created = $${n} AND grant_id > $${n + 1}))`, after.created, after.grantId);
    values.push(limit);
    return this.db.query<GrantRow>(`SELECT * FROM grants WHERE ${where.join(' AND ')} ORDER BY created, grant_id LIMIT $${values.length}`, values);
  }
  async getGrant(grantId: string): Promise<GrantRow | undefined> {
    return (await this.db.query<GrantRow>('SELECT * FROM grants WHERE grant_id = $1', [grantId]))[0];
  }
  async getGrantByToken(token: string): Promise<GrantRow | undefined> {
    return (await this.db.query<GrantRow>('SELECT * FROM grants WHERE token = $1', [token]))[0];
  }
  async deleteGrant(grantId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM grants WHERE grant_id = $1', [grantId])) > 0;
  }

  // audit
  async lastAudit(node: string): Promise<AuditRow | undefined> {
    return (await this.db.query<AuditRow>('SELECT * FROM audit WHERE node = $1 ORDER BY seq DESC LIMIT 1', [node]))[0];
  }
  /** Appends audit rows, and sets a meta value in the same transaction when given. */
  async appendAudit(rows: AuditRow[], meta?: { name: string; value: Uint8Array }): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (meta) await tx.run('INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [meta.name, meta.value]);
      for (const r of rows) {
        await tx.run('INSERT INTO audit (node, seq, time, record, prev_hash, hash, seal) VALUES ($1, $2, $3, $4, $5, $6, $7)', [r.node, r.seq, r.time, r.record, r.prev_hash, r.hash, r.seal]);
      }
    });
  }
  /** A meta value and, on PostgreSQL, the current write-ahead log position (`X/Y`), in one round trip. */
  async metaWithLsn(name: string): Promise<{ value: Uint8Array | undefined; lsn: string | undefined }> {
    if (this.db.dialect !== 'postgres') return { value: await this.getMeta(name), lsn: undefined };
    const row = (await this.db.query<{ value: Uint8Array | null; lsn: string }>('SELECT (SELECT value FROM meta WHERE name = $1) AS value, pg_current_wal_lsn()::text AS lsn', [name]))[0];
    return { value: row.value ?? undefined, lsn: row.lsn };
  }
  auditNodes(): Promise<Array<{ node: string }>> {
    return this.db.query('SELECT DISTINCT node FROM audit ORDER BY node');
  }
  auditPage(node: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.db.query<AuditRow>('SELECT * FROM audit WHERE node = $1 AND seq > $2 ORDER BY seq LIMIT $3', [node, afterSeq, limit]);
  }
}

async function insertVersion(tx: SqlDriver, v: KeyVersionRow): Promise<void> {
  await tx.run('INSERT INTO key_versions (key_id, version, wrapped, public_key, created, rotation_type) VALUES ($1, $2, $3, $4, $5, $6)', [
    v.key_id, v.version, v.wrapped, v.public_key, v.created, v.rotation_type,
  ]);
}
