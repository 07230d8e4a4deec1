/**
 * Freshness of the stored state (rollback protection). The enclave keeps a counter that only
 * moves forward: each state commit (an audit group commit, an admin write) gets the next
 * value, MACed (with the database's log position on PostgreSQL) under a key derived from the
 * root key and bound to the node id. The host stores the statement twice: in the database
 * (same transaction as the commit) and in a node-local file. Only the enclave can make a
 * statement, so the host can hand back an older one but never forge a newer one.
 *
 * At start the enclave refuses a database whose statement is older than the file's (a restored
 * or rolled-back database), and a PostgreSQL log position behind the last one it acknowledged.
 * While running, each commit first shows the enclave the database's current statement: one
 * older than the last commit the enclave knows of is refused too.
 *
 * Residual risk: a host that rolls back the database AND the file together (or deletes the
 * file and rolls back the database) is not detected: the sim and process backends have no
 * hardware monotonic counter to anchor the latest value.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, SecGearError } from 'secgear/enclave';
import { Exception, KmsError } from '../common/kms-error.js';
import type { FreshnessNext, FreshnessStart, FreshnessStatement } from '../common/protocol.js';

let macKey: Buffer | undefined;
/**
 * The newest counter this enclave knows to be committed: the database may never show less.
 * Any pool member may issue statements (the MAC key is the same in all), each keeping its own
 * mark; the host also passes the last counter it committed, which only makes the check stricter.
 */
let committed = 0;

export function setFreshnessKey(key: Buffer): void {
  macKey?.fill(0);
  macKey = key;
  committed = 0;
}

const rollback = (message: string) => new SecGearError(ErrorCode.STATE_ROLLBACK, `rollback refused: ${message}`);

function checkNode(node: unknown): string {
  if (typeof node !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(node)) throw new KmsError(Exception.Validation, 'freshness needs the node id');
  return node;
}

function mac(node: string, statement: Omit<FreshnessStatement, 'mac'>): string {
  if (!macKey) throw new KmsError(Exception.InvalidState, 'the enclave has not loaded its root key (kmsStart)', 500);
  return createHmac('sha256', macKey).update(`ekms freshness v1\0${node}\0${statement.counter}\0${statement.lsn ?? ''}`).digest('hex');
}

/** Checks a stored statement's shape and MAC; undefined/null means "none stored". */
function verified(node: string, statement: unknown, where: string): FreshnessStatement | undefined {
  if (statement === undefined || statement === null) return undefined;
  const s = statement as FreshnessStatement;
  if (
    typeof s !== 'object' ||
    !Number.isSafeInteger(s.counter) ||
    s.counter < 0 ||
    typeof s.mac !== 'string' ||
    !/^[0-9a-f]{64}$/.test(s.mac) ||
    (s.lsn !== undefined && (typeof s.lsn !== 'string' || s.lsn.length > 40))
  ) {
    throw rollback(`the freshness record in ${where} is malformed`);
  }
  if (s.lsn !== undefined) lsnValue(s.lsn);
  const expected = Buffer.from(mac(node, s), 'hex');
  if (!timingSafeEqual(Buffer.from(s.mac, 'hex'), expected)) {
    throw rollback(`the freshness record in ${where} does not verify: it was altered or belongs to another node or cluster`);
  }
  return s;
}

/** PostgreSQL LSN `X/Y` as a number that orders like the log. */
export function lsnValue(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new KmsError(Exception.Validation, `"${lsn.slice(0, 40)}" is not a PostgreSQL LSN`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Checks the stored statements against each other; returns the database's counter. */
export function startFreshness(start: FreshnessStart): { counter: number } {
  if (!start || typeof start !== 'object') throw new KmsError(Exception.Validation, 'kmsFreshnessStart needs { node, database, file }');
  const node = checkNode(start.node);
  const db = verified(node, start.database, 'the database');
  const file = verified(node, start.file, 'the node file');
  if (file && !db) {
    throw rollback(`this node acknowledged state #${file.counter} but the database has no freshness record for node ${node} (it was replaced or restored from a copy older than this node's first commit)`);
  }
  if (file && db && db.counter < file.counter) {
    throw rollback(`the database is at state #${db.counter} but this node acknowledged #${file.counter} (the database was rolled back or restored from an older copy)`);
  }
  // against the node's own file only: a database moved to a new server by dump and restore
  // starts a new log, and deleting the file is how an operator accepts that
  if (start.currentLsn !== undefined && file?.lsn !== undefined && lsnValue(String(start.currentLsn)) < lsnValue(file.lsn)) {
    throw rollback(`the PostgreSQL log is at ${start.currentLsn}, behind ${file.lsn} that this node acknowledged (the database was restored from an older point)`);
  }
  committed = Math.max(committed, db?.counter ?? 0);
  return { counter: db?.counter ?? 0 };
}

/**
 * The statement for the commit about to happen: the database's counter + 1, bound to the log
 * position when given. `database` is the statement stored now; `committed` the last counter the
 * host committed.
 */
export function nextFreshness(request: FreshnessNext): FreshnessStatement {
  if (!request || typeof request !== 'object') throw new KmsError(Exception.Validation, 'kmsFreshnessNext needs { node, database, committed }');
  const node = checkNode(request.node);
  if (request.lsn !== undefined) lsnValue(String(request.lsn));
  const claimed = Number.isSafeInteger(request.committed) && request.committed > 0 ? request.committed : 0;
  const db = verified(node, request.database, 'the database');
  const at = db?.counter ?? 0;
  const high = Math.max(committed, claimed);
  if (at < high) throw rollback(`the database went back to state #${at} while this node had committed #${high} (it was rolled back or restored under a running node)`);
  committed = at;
  const statement = { counter: at + 1, ...(request.lsn !== undefined ? { lsn: String(request.lsn) } : {}) };
  return { ...statement, mac: mac(node, statement) };
}
