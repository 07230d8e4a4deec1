/**
 * Where the enclave service keeps its sealed blobs: outside the enclave, through two ocalls the
 * host implements (`pakeStoreLoad`, `pakeStoreSave`; see `createPakeFileStore` in
 * `secgear/pake/server`). Everything that crosses is sealed; the host sees only sizes and names.
 */
import { ocall } from '../../enclave/api.js';
import { isBytes } from '../../common/bytes.js';
import { ErrorCode, SecGearError } from '../../common/errors.js';

export interface PakeStore {
  load(name: string): Promise<Uint8Array | null>;
  save(name: string, blob: Uint8Array): Promise<void>;
}

export const STORE_OCALLS = { load: 'pakeStoreLoad', save: 'pakeStoreSave' } as const;

/** The default store: the host's `pakeStoreLoad` / `pakeStoreSave` ocalls. */
export const ocallStore: PakeStore = {
  async load(name) {
    const blob = await ocall[STORE_OCALLS.load](name);
    if (blob === null || blob === undefined) return null;
    if (!isBytes(blob)) throw new SecGearError(ErrorCode.OCALL_FAILED, `${STORE_OCALLS.load} returned something other than bytes or null`);
    return blob;
  },
  async save(name, blob) {
    await ocall[STORE_OCALLS.save](name, blob);
  },
};
