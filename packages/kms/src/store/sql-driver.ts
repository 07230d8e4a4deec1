/**
 * The storage drivers EKMS runs on: the SQL it sends is written once, with `$1`-style
 * placeholders, and each driver adapts it. A driver is registered by name (`registerSqlDriver`),
 * so adding one touches no other file.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `work` in one transaction: committed (durably) when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** `sqlite:<path>` (default `sqlite:<dataDir>/ekms.db`) or `postgres://...`. */
  url: string;
}

export type SqlDriverFactory = (url: string) => Promise<SqlDriver>;

const factories = new Map<string, SqlDriverFactory>();

/** Makes a driver available for URLs starting with `<scheme>:`. */
export function registerSqlDriver(scheme: string, factory: SqlDriverFactory): void {
  factories.set(scheme, factory);
}

export async function openSqlDriver(url: string): Promise<SqlDriver> {
  const scheme = url.slice(0, url.indexOf(':'));
  const factory = factories.get(scheme === 'postgresql' ? 'postgres' : scheme);
  if (!factory) throw new Error(`no storage driver for "${scheme}:" URLs; use sqlite:<file> or postgres://user@host:port/db`);
  return factory(url);
}
