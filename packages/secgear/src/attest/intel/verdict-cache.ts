import { createHash } from 'node:crypto';

/**
 * Caches for repeated verification. Only pure, time-independent facts are cached: a parsed
 * structure by the SHA-256 of its bytes, or "this signature over these bytes verifies with that
 * key". Failures are never cached (they are recomputed), and nothing that depends on `now`
 * (validity windows, expiry, TCB dates) is cached: those are re-checked on every call.
 */
const LIMIT = 4096;

export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly limit = LIMIT) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.map.size >= this.limit) {
      // drop the oldest entry (Map iterates in insertion order)
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  /** The cached value for `key`, computing and storing it on a miss. Throws are not cached. */
  getOrCompute(key: string, compute: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }

  clear(): void {
    this.map.clear();
  }
}

/** SHA-256 of bytes, base64 (a cache key). */
export function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

const verified = new BoundedCache<true>(LIMIT * 4);

/**
 * Runs a pure signature check once per key: a success is remembered, a failure is not (so a
 * cache can never turn a bad signature good, and never pins a transient failure).
 */
export function verifiedOnce(key: string, check: () => boolean): boolean {
  if (verified.get(key)) return true;
  const ok = check();
  if (ok) verified.set(key, true);
  return ok;
}

/** Empties every Intel verification cache (tests and benchmarks use it to measure cold runs). */
export function clearVerdictCache(): void {
  verified.clear();
  for (const clear of registeredClears) clear();
}

const registeredClears: Array<() => void> = [];

/** Lets each module's parse cache join `clearVerdictCache`. */
export function registerCache<V>(cache: BoundedCache<V>): BoundedCache<V> {
  registeredClears.push(() => cache.clear());
  return cache;
}
