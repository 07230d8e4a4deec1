/**
 * The verification caches in one switch. Verifiers memoise pure, time-independent work
 * (parsed certificates and collateral, verified signature links) by content; a long-running
 * verifier keeps them. Benchmarks and tests clear them to measure or exercise a cold start.
 */
import { clearVerdictCache } from './intel/verdict-cache.js';
import { clearParsedCertificates } from './pki/chain.js';

/** Empties every verification cache: the next verification parses and checks everything again. */
export function clearVerificationCaches(): void {
  clearVerdictCache();
  clearParsedCertificates();
}
