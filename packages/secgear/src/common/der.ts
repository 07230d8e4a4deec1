/**
 * `secgear/der`: the DER reader (X.690, as the verifiers use it) and writer (as the simulated CA
 * uses it), for packages that build or read small ASN.1 structures (CMS, PKCS#8) without a
 * further dependency. Both run inside enclaves.
 */
export * from './der-writer.js';
export { readDer, derChildren, derValue, derElement, decodeOid, decodeSmallInt, type DerNode } from '../attest/pki/der.js';
