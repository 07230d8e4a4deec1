import { intelQuoteVerifier } from '../../intel/verifier.js';

/**
 * Intel SGX DCAP ECDSA quotes (v3, v4, v5 with an SGX body): quote signature, QE report
 * signature and binding, PCK chain to the Intel SGX Root CA, CRLs, TCB Info and QE identity.
 */
export const sgxDcapVerifier = intelQuoteVerifier('sgx-dcap');
