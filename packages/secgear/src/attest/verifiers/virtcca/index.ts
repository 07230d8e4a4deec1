/** Huawei virtCCA tokens, with the AIK certificate chain to the Huawei roots the caller gives. */
export { virtCcaVerifier, verifyVirtCcaToken } from './verifier.js';
