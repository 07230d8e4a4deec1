/**
 * `secgear/pkcs11`: an enclave-backed PKCS#11 token that every PKCS#11 application reaches
 * through p11-kit's RPC protocol (`p11-kit-client.so`), and a TypeScript client of that protocol.
 */
export { P11Server, createP11FileStore, type P11EnclaveEcalls, type P11ServerOptions, type P11StoreOcalls } from './server.js';
export { startToken, buildTokenImage, TOKEN_MANIFEST, type StartTokenOptions, type RunningToken } from './token-image.js';
export { P11Client, P11CallError, type P11ClientOptions } from './client.js';
export { CKA, CKF, CKK, CKM, CKO, CKR, CKU, CKG, ckrName } from './constants.js';
export type { Attribute, AttributeValue, AttributeResult } from './rpc/attributes.js';
export type { Mechanism, MechanismParam } from './rpc/mechanism.js';
