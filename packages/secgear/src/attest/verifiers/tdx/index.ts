import { intelQuoteVerifier } from '../../intel/verifier.js';

/**
 * Intel TDX quotes (v4, and v5 with TD report 1.0 or 1.5): as SGX, plus the TDX TCB levels
 * (TEE_TCB_SVN) and the TDX module identity. Trailing bytes after the signature data are ignored.
 */
export const tdxVerifier = intelQuoteVerifier('tdx');
