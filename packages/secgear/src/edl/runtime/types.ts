/** Types the generated host proxies (`<name>_u.ts`) share, re-exported by each of them. */

/** What the proxies need from an enclave: `createEnclave(...)` returns one. */
export interface EcallTarget {
  readonly ecall: { readonly [name: string]: ((...args: any[]) => Promise<unknown>) | undefined };
  /** Calls with per-call options (`Enclave.call`); used when a proxy is given options. */
  call?(name: string, args: unknown[], options?: EcallOptions): Promise<unknown>;
}

/** Per-call options a proxy passes to `Enclave.call`. */
export interface EcallOptions {
  /** Time limit of this call in milliseconds (CC_ERROR_TIMEOUT past it). */
  timeoutMs?: number;
  /** Cancels the call (CC_ERROR_CANCELLED). */
  signal?: AbortSignal;
}
