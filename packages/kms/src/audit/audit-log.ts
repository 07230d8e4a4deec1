/**
 * The audit log: every authenticated call, append-only and hash-chained per node
 * (hash_n = SHA-256(hash_{n-1} | seq | record)). Each group commit ends with a seal: an HMAC
 * of the chain head by the enclave, under a key derived from the domain root key, so whoever
 * edits rows and recomputes the hashes still cannot make the seals match. A call is answered
 * only after its record is committed; records of concurrent calls share one commit.
 */
import { createHash } from 'node:crypto';
import type { AuditRow, KmsStore } from '../store/kms-store.js';

export interface AuditEntry {
  time: number;
  account: string;
  principal: string;
  accessKeyId: string;
  operation: string;
  keyId: string | null;
  /** SHA-256 of the canonical encryption context, when there was one. */
  contextDigest: string | null;
  /** `Success` or the exception name. */
  result: string;
  /** SHA-256 of the evidence of an attested key release. */
  attestationDigest: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

export function chainHash(prevHash: string, seq: number, record: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${record}`).digest('hex');
}

export type AuditSealer = (headHash: string) => Promise<string>;

/** Rollback protection joined to each group commit (host/freshness-guard.ts): `write` stores `meta` in its transaction. */
export interface CommitFreshness {
  commit<T>(write: (meta: { name: string; value: Uint8Array }) => Promise<T>): Promise<T>;
}

export class AuditLog {
  #seq = 0;
  #head = GENESIS_HASH;
  #pending: Array<{ entry: AuditEntry; done: (error?: unknown) => void }> = [];
  #flushing: Promise<void> | undefined;

  private constructor(
    private readonly store: KmsStore,
    readonly node: string,
    private readonly sealer: AuditSealer,
    private readonly freshness?: CommitFreshness,
  ) {}

  static async open(store: KmsStore, node: string, sealer: AuditSealer, freshness?: CommitFreshness): Promise<AuditLog> {
    const log = new AuditLog(store, node, sealer, freshness);
    const last = await store.lastAudit(node);
    if (last) {
      log.#seq = last.seq;
      log.#head = last.hash;
    }
    return log;
  }

  /** Resolves once the entry is durably stored. */
  append(entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ entry, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.#flushing) this.#flushing = this.#flush();
    });
  }

  async #flush(): Promise<void> {
    // let the calls of this turn of the event loop join the batch
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#pending.length) {
      const batch = this.#pending.splice(0, 500);
      let seq = this.#seq;
      let head = this.#head;
      const rows: AuditRow[] = batch.map(({ entry }) => {
        const record = JSON.stringify(entry);
        const prev = head;
        seq += 1;
        head = chainHash(prev, seq, record);
        return { node: this.node, seq, time: entry.time, record, prev_hash: prev, hash: head, seal: null };
      });
      try {
        rows[rows.length - 1].seal = await this.sealer(head);
        if (this.freshness) await this.freshness.commit((meta) => this.store.appendAudit(rows, meta));
        else await this.store.appendAudit(rows);
        this.#seq = seq;
        this.#head = head;
        for (const p of batch) p.done();
      } catch (error) {
        for (const p of batch) p.done(error);
      }
    }
    this.#flushing = undefined;
  }

  /** Waits for every appended entry to be stored. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }
}

export interface AuditProblem {
  node: string;
  seq: number;
  problem: string;
}

export interface AuditReport {
  ok: boolean;
  records: number;
  nodes: string[];
  problems: AuditProblem[];
}

/** Walks every node's chain: sequence, links, hashes, and the enclave's seals. */
export async function verifyAuditLog(store: KmsStore, checkSeal: (headHash: string, seal: string) => Promise<boolean>): Promise<AuditReport> {
  const problems: AuditProblem[] = [];
  let records = 0;
  const nodes = (await store.auditNodes()).map((n) => n.node);
  for (const node of nodes) {
    let expectSeq = 1;
    let prev = GENESIS_HASH;
    let sealedUpTo = 0;
    let lastSeq = 0;
    for (;;) {
      const page = await store.auditPage(node, lastSeq, 1000);
      if (page.length === 0) break;
      for (const row of page) {
        records++;
        if (row.seq !== expectSeq) problems.push({ node, seq: row.seq, problem: `sequence gap: expected ${expectSeq}` });
        if (row.prev_hash !== prev) problems.push({ node, seq: row.seq, problem: 'prev_hash does not link to the previous record' });
        const hash = chainHash(row.prev_hash, row.seq, row.record);
        if (hash !== row.hash) problems.push({ node, seq: row.seq, problem: 'the record was altered (hash mismatch)' });
        if (row.seal !== null) {
          if (!(await checkSeal(row.hash, row.seal))) problems.push({ node, seq: row.seq, problem: 'the seal does not verify: the chain was rewritten' });
          sealedUpTo = row.seq;
        }
        prev = row.hash;
        expectSeq = row.seq + 1;
        lastSeq = row.seq;
      }
    }
    if (lastSeq > sealedUpTo) problems.push({ node, seq: lastSeq, problem: `records after seq ${sealedUpTo} carry no seal` });
  }
  return { ok: problems.length === 0, records, nodes, problems };
}
