import type { CollateralItem } from '../types.js';

/**
 * Pluggable collateral sources (Intel PCS/PCCS, AMD KDS, or your own). A fetcher turns a
 * request into collateral items with the same roles the file loader produces, so fetched and
 * file collateral are interchangeable.
 */
export type CollateralRequest =
  | {
      kind: 'intel';
      tee: 'sgx' | 'tdx';
      /** 6 bytes, from the PCK certificate. */
      fmspc: Uint8Array;
      /** Which PCK CA issued the PCK certificate (selects the PCK CRL). */
      pckCa: 'platform' | 'processor';
    }
  | {
      kind: 'amd';
      product: 'Milan' | 'Genoa' | 'Turin';
      /** `vcek` needs chipId and reportedTcb; `vlek` fetches only the chain and CRL. */
      key: 'vcek' | 'vlek';
      /** 64 bytes (Turin: the first 8 are used). */
      chipId?: Uint8Array;
      reportedTcb?: { bootloader: number; tee: number; snp: number; microcode: number; fmc?: number };
    };

/** What a fetcher returns: items with the file loader's roles, and when they go stale. */
export interface FetchedCollateral {
  items: CollateralItem[];
  /** When the fetched collateral stops being current (earliest nextUpdate), if known. */
  expiresAt: Date | null;
}

/**
 * A collateral source. `IntelPcsFetcher` and `AmdKdsFetcher` are built in; wrap one in a
 * `CachingFetcher`, and pass the items to `verifyEvidence({ collateral })`.
 */
export interface CollateralFetcher {
  fetch(request: CollateralRequest, options?: { signal?: AbortSignal }): Promise<FetchedCollateral>;
}

/** The subset of the WHATWG `fetch` a fetcher needs (inject one in tests; defaults to the global). */
export type FetchFunction = (url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

function requestKey(request: CollateralRequest): string {
  if (request.kind === 'intel') return `intel|${request.tee}|${Buffer.from(request.fmspc).toString('hex')}|${request.pckCa}`;
  const tcb = request.reportedTcb;
  const tcbKey = tcb ? `${tcb.bootloader}.${tcb.tee}.${tcb.snp}.${tcb.microcode}.${tcb.fmc ?? ''}` : '';
  return `amd|${request.product}|${request.key}|${request.chipId ? Buffer.from(request.chipId).toString('hex') : ''}|${tcbKey}`;
}

/** Options of `CachingFetcher`. */
export interface CachingFetcherOptions {
  /** How long a result without its own expiry is kept (default one hour). */
  ttlMs?: number;
  /** At most this many requests are remembered (default 256). */
  maxEntries?: number;
  /** Clock (injectable for tests). */
  now?: () => Date;
}

/**
 * Remembers fetched collateral until it expires (its earliest nextUpdate, or the TTL). Expired
 * entries are fetched again; concurrent requests for the same key share one fetch. Failures
 * are not cached. Verification still checks every validity window at its own `now`.
 */
export class CachingFetcher implements CollateralFetcher {
  private readonly entries = new Map<string, { value: FetchedCollateral; until: number }>();
  private readonly pending = new Map<string, Promise<FetchedCollateral>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => Date;

  constructor(
    private readonly inner: CollateralFetcher,
    options: CachingFetcherOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 256;
    this.now = options.now ?? (() => new Date());
  }

  async fetch(request: CollateralRequest, options: { signal?: AbortSignal } = {}): Promise<FetchedCollateral> {
    const key = requestKey(request);
    const at = this.now().getTime();
    const hit = this.entries.get(key);
    if (hit && at < hit.until) return hit.value;
    const inFlight = this.pending.get(key);
    if (inFlight) return abortable(inFlight, options.signal);
    // the shared fetch belongs to no caller: one caller's abort must not fail the others
    const promise = this.inner.fetch(request, {}).then(
      (value) => {
        this.pending.delete(key);
        const until = Math.min(at + this.ttlMs, value.expiresAt ? value.expiresAt.getTime() : Infinity);
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(key, { value, until });
        return value;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, promise);
    return abortable(promise, options.signal);
  }

  /** Forgets everything (for example after a TCB recovery event). */
  clear(): void {
    this.entries.clear();
  }
}

/** Waits for `promise`, or rejects with the signal's reason once `signal` aborts (for this caller only). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
