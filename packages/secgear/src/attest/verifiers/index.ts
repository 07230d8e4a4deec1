/**
 * Registration of the built-in verifier plug-ins: one import line each.
 * Importing `secgear/attest` registers them all.
 */
import { registerVerifier } from '../registry.js';
import { simVerifier } from './sim/index.js';
import { sgxDcapVerifier } from './sgx-dcap/index.js';
import { tdxVerifier } from './tdx/index.js';

registerVerifier(simVerifier);
registerVerifier(sgxDcapVerifier);
registerVerifier(tdxVerifier);
