import type { EvidenceVerifier } from '../types.js';
import { classifyIntelAnchor, classifyIntelCollateral } from './classify.js';
import { looksLikeQuote } from './quote.js';
import { verifyIntelQuote } from './verify-quote.js';

/**
 * The plug-in of one Intel quote format: SGX and TDX quotes share the parser, the PCK chain,
 * the collateral and its recognition, and bind the nonce in REPORTDATA; only the TEE differs.
 */
export function intelQuoteVerifier(format: 'sgx-dcap' | 'tdx'): EvidenceVerifier {
  const tee = format === 'sgx-dcap' ? 'sgx' : 'tdx';
  return {
    format,
    detect: (data) => looksLikeQuote(data, tee),
    verify: async (data, context) => verifyIntelQuote(data, tee, context),
    checksNonce: true,
    classifyCollateral: classifyIntelCollateral,
    classifyAnchor: classifyIntelAnchor,
  };
}
