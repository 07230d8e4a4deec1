/**
 * The SQLite writer thread. Every write of EKMS commits with synchronous=FULL, and an fsync
 * here takes milliseconds (3 ms on this project's CI machine); better-sqlite3 is synchronous,
 * so on the main thread each commit would stop HTTP parsing, enclave calls and every other
 * request for that long. This thread owns the only writing connection; the main thread keeps
 * a connection of its own for reads (WAL lets them run beside a write).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export type WriterRequest =
  | { id: number; op: 'begin' | 'commit' | 'rollback' | 'close' }
  | { id: number; op: 'query'; sql: string; params: Record<string, unknown> };

export type WriterResponse =
  | { id: number; ok: true; rows: Record<string, unknown>[]; changes: number }
  | { id: number; ok: false; message: string; code?: string };

export interface WriterData {
  path: string;
}

function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('sqlite-writer runs only as a worker thread');
  const db = new Database((workerData as WriterData).path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  port.on('message', (request: WriterRequest) => {
    try {
      switch (request.op) {
        case 'begin':
          db.exec('BEGIN IMMEDIATE');
          break;
        case 'commit':
          db.exec('COMMIT');
          break;
        case 'rollback':
          if (db.inTransaction) db.exec('ROLLBACK');
          break;
        case 'close':
          db.close();
          port.postMessage({ id: request.id, ok: true, rows: [], changes: 0 } satisfies WriterResponse);
          port.close();
          return;
        case 'query': {
          const statement = prepare(request.sql);
          // structured clone turned the caller's Buffers into Uint8Arrays
          for (const [k, v] of Object.entries(request.params)) if (v instanceof Uint8Array && !Buffer.isBuffer(v)) request.params[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
          if (statement.reader) {
            port.postMessage({ id: request.id, ok: true, rows: statement.all(request.params) as Record<string, unknown>[], changes: 0 } satisfies WriterResponse);
          } else {
            port.postMessage({ id: request.id, ok: true, rows: [], changes: statement.run(request.params).changes } satisfies WriterResponse);
          }
          return;
        }
      }
      port.postMessage({ id: request.id, ok: true, rows: [], changes: 0 } satisfies WriterResponse);
    } catch (error) {
      const e = error as { message?: string; code?: string };
      port.postMessage({ id: request.id, ok: false, message: String(e?.message ?? error), code: typeof e?.code === 'string' ? e.code : undefined } satisfies WriterResponse);
    }
  });
}

serve();
