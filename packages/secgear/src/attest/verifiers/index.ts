/**
 * The built-in verifier plug-ins, one import line each. Importing `secgear/attest` registers
 * them all in the default registry; `new VerifierRegistry(builtInVerifiers)` gives a separate
 * registry that starts with the same set.
 */
import { defaultVerifiers } from '../registry.js';
import type { EvidenceVerifier } from '../types.js';
import { simVerifier } from './sim/index.js';
import { sgxDcapVerifier } from './sgx-dcap/index.js';
import { tdxVerifier } from './tdx/index.js';
import { sevSnpVerifier } from './sev-snp/index.js';
import { nitroVerifier } from './nitro/index.js';
import { ccaVerifier } from './cca/index.js';
import { virtCcaVerifier } from './virtcca/index.js';
import { raTlsCertVerifier } from './ra-tls-cert/index.js';

export const builtInVerifiers: readonly EvidenceVerifier[] = Object.freeze([
  simVerifier,
  sgxDcapVerifier,
  tdxVerifier,
  sevSnpVerifier,
  nitroVerifier,
  ccaVerifier,
  virtCcaVerifier,
  raTlsCertVerifier,
]);

for (const verifier of builtInVerifiers) defaultVerifiers.register(verifier);
