/**
 * Online-guessing limits for a SPAKE2+ verifier. Every handshake a peer starts is one password
 * guess (the verifier's confirmV already lets the peer test a guess offline), so an attempt is
 * counted as failed when it starts and cleared only when the prover's confirmation verifies.
 *
 * After `maxFailures` consecutive failures an identity is refused for `baseBackoffMs`; every
 * further failure doubles the wait, up to `maxBackoffMs`. The state serializes to bytes so the
 * enclave can seal it and a restart does not reset it.
 *
 * Honest limits: the clock is the host's (a TEE has no trusted time), so a host that lies about
 * time can shorten a back-off; and sealing gives no freshness, so a host that restores an older
 * sealed state file rolls the counters back. A TEE monotonic counter would close the second gap.
 */
import { ErrorCode, SecGearError } from '../common/errors.js';

export interface GuessLimitOptions {
  /** Consecutive failed handshakes allowed before a back-off starts. Default 5. */
  maxFailures?: number;
  /** First back-off, in milliseconds. Default 60 000 (one minute). */
  baseBackoffMs?: number;
  /** Longest back-off, in milliseconds. Default 3 600 000 (one hour). */
  maxBackoffMs?: number;
  /** Identities tracked at once; the oldest failure is forgotten beyond it. Default 100 000. */
  maxTracked?: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
}

export interface GuessDecision {
  allowed: boolean;
  /** When refused: milliseconds until the identity may try again. */
  retryAfterMs: number;
}

const STATE_VERSION = 1;
const MAX_ID_LENGTH = 1024;

export class GuessLimiter {
  readonly maxFailures: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxTracked: number;
  #entries = new Map<string, Entry>();
  #generation = 0;

  constructor(options: GuessLimitOptions = {}) {
    this.maxFailures = positiveInt(options.maxFailures ?? 5, 'maxFailures', 1_000_000);
    this.baseBackoffMs = positiveInt(options.baseBackoffMs ?? 60_000, 'baseBackoffMs', 365 * 86_400_000);
    this.maxBackoffMs = positiveInt(options.maxBackoffMs ?? 3_600_000, 'maxBackoffMs', 365 * 86_400_000);
    this.maxTracked = positiveInt(options.maxTracked ?? 100_000, 'maxTracked', 10_000_000);
    if (this.maxBackoffMs < this.baseBackoffMs) {
      throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'maxBackoffMs must be at least baseBackoffMs');
    }
  }

  /** Increases with every change; stored in the serialized state to spot an older copy. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether `id` may start a handshake at time `now` (ms since the epoch). */
  check(id: string, now: number): GuessDecision {
    const entry = this.#entries.get(key(id));
    if (!entry || entry.failures < this.maxFailures) return { allowed: true, retryAfterMs: 0 };
    const until = entry.lastFailureAt + this.backoffFor(entry.failures);
    return until > now ? { allowed: false, retryAfterMs: until - now } : { allowed: true, retryAfterMs: 0 };
  }

  /** Counts a handshake that starts now as a failure until {@link recordSuccess} clears it. */
  recordAttempt(id: string, now: number): void {
    const k = key(id);
    const entry = this.#entries.get(k) ?? { failures: 0, lastFailureAt: now };
    this.#entries.delete(k); // re-insert: Map order is the eviction order
    this.#entries.set(k, { failures: entry.failures + 1, lastFailureAt: now });
    while (this.#entries.size > this.maxTracked) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#generation++;
  }

  /** A completed, confirmed handshake: the identity starts again with a clean slate. */
  recordSuccess(id: string): void {
    if (this.#entries.delete(key(id))) this.#generation++;
  }

  /** Consecutive failures on record for `id`. */
  failures(id: string): number {
    return this.#entries.get(key(id))?.failures ?? 0;
  }

  /** Back-off after the given number of consecutive failures. */
  backoffFor(failures: number): number {
    if (failures < this.maxFailures) return 0;
    const doublings = Math.min(failures - this.maxFailures, 40);
    return Math.min(this.baseBackoffMs * 2 ** doublings, this.maxBackoffMs);
  }

  /** The state as bytes (JSON), to be sealed. Limits are configuration and are not included. */
  serialize(): Uint8Array {
    const entries = [...this.#entries].map(([id, e]) => [id, e.failures, e.lastFailureAt]);
    return new TextEncoder().encode(JSON.stringify({ v: STATE_VERSION, generation: this.#generation, entries }));
  }

  /**
   * Replaces the state with one from {@link serialize}. A state older than the one held
   * (lower generation) is refused with CC_ERROR_REPLAY.
   */
  restore(bytes: Uint8Array): void {
    const parsed = parseState(bytes);
    if (parsed.generation < this.#generation) {
      throw new SecGearError(ErrorCode.REPLAY, `guess-limit state generation ${parsed.generation} is older than the one in memory (${this.#generation}); refusing a rollback`);
    }
    this.#entries = parsed.entries;
    this.#generation = parsed.generation;
  }
}

function key(id: string): string {
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `identity must be a string of at most ${MAX_ID_LENGTH} characters`);
  }
  return id;
}

function positiveInt(value: number, name: string, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `${name} must be an integer in [1, ${max}], got ${value}`);
  }
  return value;
}

function parseState(bytes: Uint8Array): { generation: number; entries: Map<string, Entry> } {
  const bad = (why: string) => new SecGearError(ErrorCode.INVALID_SEALED_DATA, `guess-limit state is malformed: ${why}`);
  if (!(bytes instanceof Uint8Array)) throw bad('not bytes');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw bad('not UTF-8 JSON');
  }
  const v = value as { v?: unknown; generation?: unknown; entries?: unknown };
  if (!v || typeof v !== 'object' || v.v !== STATE_VERSION) throw bad('unknown version');
  if (!Number.isSafeInteger(v.generation) || (v.generation as number) < 0) throw bad('generation');
  if (!Array.isArray(v.entries)) throw bad('entries');
  const entries = new Map<string, Entry>();
  for (const item of v.entries as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) throw bad('entry shape');
    const [id, failures, lastFailureAt] = item as [unknown, unknown, unknown];
    if (typeof id !== 'string' || id.length > MAX_ID_LENGTH) throw bad('entry identity');
    if (!Number.isSafeInteger(failures) || (failures as number) < 1) throw bad('entry failures');
    if (!Number.isSafeInteger(lastFailureAt) || (lastFailureAt as number) < 0) throw bad('entry time');
    entries.set(id, { failures: failures as number, lastFailureAt: lastFailureAt as number });
  }
  return { generation: v.generation as number, entries };
}
