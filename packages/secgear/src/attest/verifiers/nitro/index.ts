/** AWS Nitro Enclaves attestation documents, verified against the AWS Nitro Root G1. */
export { nitroVerifier, verifyNitroDocument } from './verifier.js';
export { parseNitroDocument } from './document.js';
export type { NitroDocument } from './document.js';
export { AWS_NITRO_ROOT_G1, AWS_NITRO_ROOT_G1_SHA256 } from './aws-root.js';
