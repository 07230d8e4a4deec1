/** CBOR and COSE_Sign1, as TEE evidence uses them (Nitro, Arm CCA, virtCCA, TCG DICE). */
export { CborTag, decodeCbor, decodeCborAt, cborItemEnd, readCborHeader } from './cbor.js';
export type { CborKey, CborMap, CborValue, CborHeader } from './cbor.js';
export { encodeCbor, encodeCborHeader } from './cbor-encode.js';
export { COSE_ALGORITHMS, verifySignature, signData } from './algorithms.js';
export type { CoseAlgorithm } from './algorithms.js';
export { publicKeyFromJwk, publicKeyFromEcPoint, publicKeyFromSpki, publicKeyFromCoseKey, publicKeyFromText } from './keys.js';
export { COSE_SIGN1_TAG, parseCoseSign1, coseSign1ToBeSigned, verifyCoseSign1, signCoseSign1, coseAlgorithmName } from './sign1.js';
export type { CoseSign1, CoseVerifyOptions, CoseSignOptions } from './sign1.js';
