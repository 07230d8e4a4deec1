import type { EnclavePool } from '../../host/enclave-pool.js';
import type { KmsStore } from '../../store/kms-store.js';
import type { RequestContext } from '../request-context.js';

/** What every handler may use besides its request. */
export interface ServiceParts {
  store: KmsStore;
  pool: EnclavePool;
  region: string;
  /** Epoch milliseconds; injectable so tests can move time (deletion windows, rotation). */
  now(): number;
  /** Forgets cached records of this key (after it changed). */
  invalidateKey(keyId: string): void;
}

export type Handler = (ctx: RequestContext, parts: ServiceParts) => Promise<Record<string, unknown>>;
export type HandlerTable = Record<string, Handler>;
