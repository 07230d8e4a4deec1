/**
 * Inside the token a failed check throws `CkrError(rv)`; the RPC dispatcher turns it into the
 * CK_RV of the answer. Nothing of it crosses the enclave boundary as an exception.
 */
import { ckrName } from '../constants.js';

export class CkrError extends Error {
  constructor(readonly rv: number, detail?: string) {
    super(detail ? `${ckrName(rv)}: ${detail}` : ckrName(rv));
    this.name = 'CkrError';
  }
}

export function fail(rv: number, detail?: string): never {
  throw new CkrError(rv, detail);
}
