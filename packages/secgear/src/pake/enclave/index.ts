/**
 * `secgear/pake/enclave`: the trusted side of the device–cloud PAKE flow. Import it from enclave
 * code only (it uses sealing, evidence and ocalls from `secgear/enclave`).
 *
 * ```ts
 * const service = createPakeService({ idVerifier: 'cloud', onMessage: (s, data) => reply(data) });
 * defineEnclave({ ecalls: { ...service.ecalls } });
 * ```
 * The manifest declares the ecalls pakeRegister, pakeReceive, pakeClose and the ocalls
 * pakeStoreLoad, pakeStoreSave.
 */
export {
  PakeVerifierService,
  createPakeService,
  type PakeReceiveResult,
  type PakeServiceOptions,
  type PakeSessionInfo,
} from './verifier-service.js';
export { ocallStore, STORE_OCALLS, type PakeStore } from './store.js';
export type { Registration } from '../stored-record.js';
export type { GuessLimitOptions } from '../guess-limiter.js';
