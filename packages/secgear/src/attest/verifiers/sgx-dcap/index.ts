import type { EvidenceVerifier } from '../../types.js';
import { classifyIntelAnchor, classifyIntelCollateral } from '../../intel/classify.js';
import { looksLikeQuote } from '../../intel/quote.js';
import { verifyIntelQuote } from '../../intel/verify-quote.js';

/**
 * Intel SGX DCAP ECDSA quotes (v3, v4, v5 with an SGX body): quote signature, QE report
 * signature and binding, PCK chain to the Intel SGX Root CA, CRLs, TCB Info and QE identity.
 */
export const sgxDcapVerifier: EvidenceVerifier = {
  format: 'sgx-dcap',
  detect: (data) => looksLikeQuote(data, 'sgx'),
  verify: async (data, context) => verifyIntelQuote(data, 'sgx', context),
  checksNonce: true,
  classifyCollateral: classifyIntelCollateral,
  classifyAnchor: classifyIntelAnchor,
};
