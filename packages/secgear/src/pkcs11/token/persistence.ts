/**
 * Sealed persistence of the token: one record for the token (label, PIN verifiers, failure
 * counters) and one per token object, each sealed with the signer policy and with its name in
 * the additional data, so the host cannot swap records between names. The host stores blobs
 * (write to a temporary file, then rename); it can delete or roll back blobs, which the token
 * cannot detect without a monotonic counter — said in the README.
 */
import { seal, unseal } from '../../enclave/seal.js';
import { ocall } from '../../enclave/api.js';
import { isBytes } from '../../common/bytes.js';
import { readAttributeArray, writeAttributeArray, type Attribute } from '../rpc/attributes.js';
import { WireReader, WireWriter } from '../rpc/wire.js';

export const STORE_OCALLS = { load: 'p11StoreLoad', save: 'p11StoreSave', remove: 'p11StoreRemove', list: 'p11StoreList' } as const;

export interface BlobStore {
  load(name: string): Promise<Uint8Array | null>;
  save(name: string, blob: Uint8Array): Promise<void>;
  remove(name: string): Promise<void>;
  list(): Promise<string[]>;
}

/** The default store: the host's p11Store* ocalls. Answers are checked: the host is not trusted. */
export const ocallBlobStore: BlobStore = {
  async load(name) {
    const blob = await ocall[STORE_OCALLS.load](name);
    if (blob === null || blob === undefined) return null;
    if (!isBytes(blob)) throw new Error('p11StoreLoad returned something other than bytes');
    return blob;
  },
  async save(name, blob) {
    await ocall[STORE_OCALLS.save](name, blob);
  },
  async remove(name) {
    await ocall[STORE_OCALLS.remove](name);
  },
  async list() {
    const names = await ocall[STORE_OCALLS.list]();
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new Error('p11StoreList returned something other than names');
    return names as string[];
  },
};

const text = new TextEncoder();
const aadFor = (name: string) => text.encode(`secgear p11 ${name}\0`);

export async function sealRecord(store: BlobStore, name: string, data: Uint8Array): Promise<void> {
  await store.save(name, await seal(data, { policy: 'signer', aad: aadFor(name) }));
}

export async function unsealRecord(store: BlobStore, name: string): Promise<Uint8Array | null> {
  const blob = await store.load(name);
  if (!blob) return null;
  return (await unseal(blob, { aad: aadFor(name) })).data;
}

export function encodeObject(attrs: readonly Attribute[]): Uint8Array {
  const w = new WireWriter().byte(1);
  writeAttributeArray(w, attrs);
  return w.finish();
}

export function decodeObject(bytes: Uint8Array): Attribute[] {
  const r = new WireReader(bytes);
  if (r.byte() !== 1) throw new Error('unknown object record version');
  return readAttributeArray(r);
}
