/**
 * `secgear/attest`: verify evidence from any TEE into one result shape (`verifyEvidence`), and
 * the pieces tools need around it: collateral and anchor loaders, collateral fetchers, the
 * built-in vendor roots, and the evidence parsers. Importing it registers every built-in
 * verifier. What each verifier checks: src/attest/README.md.
 *
 * The parsers read structure only: they check no signature, chain or validity. Use them to
 * inspect evidence, never to decide whether to trust it.
 */
// this machine's sim root as a built-in anchor (host only: enclave code reads no files)
import './verifiers/sim/host-root.js';

// verification and the plug-in registries (importing this registers the built-ins in the default one)
export { builtInVerifiers } from './verifiers/index.js';
export { verifyEvidence, applyPolicy } from './verify.js';
export { VerifierRegistry, defaultVerifiers, registerVerifier, unregisterVerifier, getVerifier, listVerifiers, detectFormat } from './registry.js';
// what evidence binds (the nonce and data of getEvidence), checked the same way by every consumer
export { evidenceBinding, checkEvidenceBinding, reportDataBinds, BINDING_CHECK, EVIDENCE_BINDING_DOMAIN, EVIDENCE_BINDING_SIZE } from './evidence-binding.js';
export type { EvidenceBindingInput } from './evidence-binding.js';
export { clearVerificationCaches } from './caches.js';
export { appraisePeer, type AttestationPolicy, type PeerAttestation } from './peer-appraisal.js';
export { EVIDENCE_MEDIA_TYPES, formatForMediaType } from './media-types.js';
export type * from './types.js';
export { SecGearError, ErrorCode } from '../common/errors.js';

// collateral and trust anchors: files and folders recognised by content, fetchers, cache
export * from './collateral/index.js';

// built-in vendor roots
export { INTEL_SGX_ROOT_CA_DER } from './intel/intel-root-ca.js';
export { AMD_CERTIFICATES, type AmdCertificate } from './verifiers/sev-snp/amd-roots.js';
export { AWS_NITRO_ROOT_G1 } from './verifiers/nitro/aws-root.js';

// Intel SGX / TDX DCAP quotes
export { parseQuote, TEE_TYPE_SGX, TEE_TYPE_TDX, CERT_DATA_PCK_CHAIN } from './intel/quote.js';
export type { Quote, QuoteHeader, QuoteBody, CertificationData } from './intel/quote.js';
export type { SgxReport, TdReport } from './intel/report-body.js';
export { parseCertificateChainData } from './intel/certification-data.js';
export { parsePckExtension, SGX_EXTENSION_OID, type PckExtension } from './intel/pck-extension.js';

// AMD SEV-SNP reports and VCEK/VLEK certificates
export { parseSnpReport, decodeTcb, SNP_REPORT_SIZE } from './verifiers/sev-snp/report.js';
export type { SnpReport, SnpPolicy, SnpTcb, SnpProduct, SnpSigningKey } from './verifiers/sev-snp/report.js';
export { readEndorsementKeyInfo, type EndorsementKeyInfo } from './verifiers/sev-snp/vcek.js';

// AWS Nitro attestation documents
export { parseNitroDocument, type NitroDocument } from './verifiers/nitro/document.js';

// Arm CCA and Huawei virtCCA tokens
export { parseCcaCollection, lifecycleName } from './verifiers/cca/token.js';
export type { CcaCollection, CcaParseOptions, PlatformClaims, RealmClaims, SwComponent, SignedToken } from './verifiers/cca/token.js';

// evidence inside X.509 certificates (RA-TLS)
export { extractRaTlsEvidence, RA_TLS_OIDS } from './verifiers/ra-tls-cert/extract.js';
export type { RaTlsCertificate, EmbeddedEvidence, EvidenceSource } from './verifiers/ra-tls-cert/extract.js';
export { parseTaggedEvidence, type TaggedEvidence } from './verifiers/ra-tls-cert/tcg-evidence.js';

// EAR (RATS attestation results): the appraisal shape shared by the CLI, the library and the service
export { buildEar, earSubmodule, earOverallStatus, normalizedClaimsToJson, EAR_PROFILE } from './ear.js';
export type { Ear, EarSubmodule, EarOptions, EarSubmoduleOptions, TrustworthinessVector, NormalizedClaimsJson } from './ear.js';
