/**
 * Registration of the built-in verifier plug-ins: one import line each.
 * Importing `secgear/attest` registers them all.
 */
import { registerVerifier } from '../registry.js';
import { simVerifier } from './sim/index.js';

registerVerifier(simVerifier);
