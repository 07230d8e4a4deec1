/** AMD SEV-SNP attestation reports (versions 2 to 5), verified against AMD's ARKs. */
export { sevSnpVerifier, verifySnpReport } from './verifier.js';
export { parseSnpReport, decodeTcb, productFromCpuid, formatTcb, SNP_REPORT_SIZE, SNP_SIGNED_LENGTH } from './report.js';
export type { SnpReport, SnpTcb, SnpPolicy, SnpProduct, SnpSigningKey } from './report.js';
export { readEndorsementKeyInfo, VCEK_OIDS } from './vcek.js';
export type { EndorsementKeyInfo } from './vcek.js';
export { AMD_CERTIFICATES, AMD_ROOT_KEYS } from './amd-roots.js';
