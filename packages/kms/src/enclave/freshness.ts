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
let node = '';
/** The last counter this enclave issued (undefined: not started). */
let issued: number | undefined;
/** The newest counter known to be committed: the database may never show less. */
let committed = 0;

export function setFreshnessKey(key: Buffer): void {
  macKey?.fill(0);
  macKey = key;
  issued = undefined;
  committed = 0;
}

const rollback = (message: string) => new SecGearError(ErrorCode.STATE_ROLLBACK, `rollback refused: ${message}`);

function mac(statement: Omit<FreshnessStatement, 'mac'>): string {
  if (!macKey) throw new KmsError(Exception.InvalidState, 'the enclave has not loaded its root key (kmsStart)', 500);
  return createHmac('sha256', macKey).update(`ekms freshness v1\0${node}\0${statement.counter}\0${statement.lsn ?? ''}`).digest('hex');
}

/** Checks a stored statement's shape and MAC; undefined/null means "none stored". */
function verified(statement: unknown, where: string): FreshnessStatement | undefined {
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
  const expected = Buffer.from(mac(s), 'hex');
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

/** Checks the stored statements against each other; the counter continues from the database's. */
export function startFreshness(start: FreshnessStart): { counter: number } {
  if (!start || typeof start.node !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(start.node)) throw new KmsError(Exception.Validation, 'freshness needs the node id');
  node = start.node;
  const db = verified(start.database, 'the database');
  const file = verified(start.file, 'the node file');
  if (file && !db) {
    throw rollback(`this node acknowledged state #${file.counter} but the database has no freshness record for node ${node} (it was replaced or restored from a copy older than this node's first commit)`);
  }
  if (file && db && db.counter < file.counter) {
    throw rollback(`the database is at state #${db.counter} but this node acknowledged #${file.counter} (the database was rolled back or restored from an older copy)`);
  }
  if (start.currentLsn !== undefined) {
    const now = lsnValue(String(start.currentLsn));
    for (const s of [file, db]) {
      if (s?.lsn !== undefined && now < lsnValue(s.lsn)) {
        throw rollback(`the PostgreSQL log is at ${start.currentLsn}, behind ${s.lsn} that this node acknowledged (the database was restored from an older point)`);
      }
    }
  }
  issued = db?.counter ?? 0;
  committed = issued;
  return { counter: issued };
}

/**
 * The statement for the commit about to happen: counter + 1, bound to the database log
 * position when given. `database` is the statement stored now; `committed` the last counter
 * the host says it committed (a host that understates it only weakens its own check).
 */
export function nextFreshness(request: FreshnessNext): FreshnessStatement {
  if (issued === undefined) throw new KmsError(Exception.InvalidState, 'freshness was not started', 500);
  if (!request || typeof request !== 'object') throw new KmsError(Exception.Validation, 'kmsFreshnessNext needs { database, committed }');
  if (request.lsn !== undefined) lsnValue(String(request.lsn));
  if (Number.isSafeInteger(request.committed) && request.committed <= issued && request.committed > committed) committed = request.committed;
  const db = verified(request.database, 'the database');
  const at = db?.counter ?? 0;
  if (at < committed) throw rollback(`the database went back to state #${at} while this node had committed #${committed} (it was rolled back or restored under a running node)`);
  if (at > issued) throw rollback(`the database holds state #${at} of node ${node}, newer than this node ever made (#${issued}): is another node running with the same node id?`);
  committed = at;
  issued += 1;
  const statement = { counter: issued, ...(request.lsn !== undefined ? { lsn: String(request.lsn) } : {}) };
  return { ...statement, mac: mac(statement) };
}
