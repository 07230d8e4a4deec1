import type { EvidenceVerifier } from '../../types.js';
import { classifyIntelAnchor, classifyIntelCollateral } from '../../intel/classify.js';
import { looksLikeQuote } from '../../intel/quote.js';
import { verifyIntelQuote } from '../../intel/verify-quote.js';

/**
 * Intel TDX quotes (v4, and v5 with TD report 1.0 or 1.5): as SGX, plus the TDX TCB levels
 * (TEE_TCB_SVN) and the TDX module identity. Trailing bytes after the signature data are ignored.
 */
export const tdxVerifier: EvidenceVerifier = {
  format: 'tdx',
  detect: (data) => looksLikeQuote(data, 'tdx'),
  verify: async (data, context) => verifyIntelQuote(data, 'tdx', context),
  checksNonce: true,
  classifyCollateral: classifyIntelCollateral,
  classifyAnchor: classifyIntelAnchor,
};
