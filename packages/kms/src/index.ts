/** `@secgear/kms`: EKMS, the enclave key management service speaking the AWS KMS JSON API. */
export { startEkms, type EkmsOptions, type RunningEkms } from './host/ekms-node.js';
export { KmsService, OPERATION_NAMES, type KmsServiceOptions } from './service/kms-service.js';
export { EnclavePool, type EnclavePoolOptions } from './host/enclave-pool.js';
export { KmsStore } from './store/kms-store.js';
export { openSqlDriver, registerSqlDriver, type SqlDriver } from './store/sql-driver.js';
export { verifyAuditLog, type AuditReport } from './audit/audit-log.js';
export { KmsError, Exception } from './common/kms-error.js';
export { encodeEncryptionContext } from './common/encryption-context.js';
export { parseCiphertext } from './common/ciphertext-blob.js';
export type { RecipientTrustOptions } from './host/enclave-image.js';
// attested key release (Recipient): what a caller enclave sends, and how it opens the answer
export { encodeRecipientContainer, parseRecipientContainer, boundPart, isRecipientContainer, type RecipientContainer, type RecipientCollateral } from './common/recipient-container.js';
export { buildEnvelopedData, openEnvelopedData, parseEnvelopedData, subjectKeyIdentifier, type ParsedEnvelopedData } from './common/cms-enveloped.js';
export type { RecipientFacts } from './common/protocol.js';
export { FreshnessGuard } from './host/freshness-guard.js';
