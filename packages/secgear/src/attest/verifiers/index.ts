/**
 * Registration of the built-in verifier plug-ins: one import line each.
 * Importing `secgear/attest` registers them all.
 */
import { registerVerifier } from '../registry.js';
import { simVerifier } from './sim/index.js';
import { sgxDcapVerifier } from './sgx-dcap/index.js';
import { tdxVerifier } from './tdx/index.js';
import { sevSnpVerifier } from './sev-snp/index.js';
import { nitroVerifier } from './nitro/index.js';
import { ccaVerifier } from './cca/index.js';
import { virtCcaVerifier } from './virtcca/index.js';
import { raTlsCertVerifier } from './ra-tls-cert/index.js';

registerVerifier(simVerifier);
registerVerifier(sgxDcapVerifier);
registerVerifier(tdxVerifier);
registerVerifier(sevSnpVerifier);
registerVerifier(nitroVerifier);
registerVerifier(ccaVerifier);
registerVerifier(virtCcaVerifier);
registerVerifier(raTlsCertVerifier);
