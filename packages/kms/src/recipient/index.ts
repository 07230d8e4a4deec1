/**
 * `@secgear/kms/recipient`: the caller's side of attested key release, for code inside a secGear
 * enclave. `attestationDocument(publicKey)` binds the enclave's RSA public key and the current
 * time into its evidence and wraps them in a recipient container (the `AttestationDocument` of a
 * `Recipient`); `openCiphertextForRecipient(cms, privateKey)` opens the answer. The private key
 * never leaves the enclave; the host only relays both.
 */
import { getEvidence } from 'secgear/enclave';
import { boundPart, encodeRecipientContainer } from '../common/recipient-container.js';

export { openEnvelopedData as openCiphertextForRecipient } from '../common/cms-enveloped.js';
export { boundPart, encodeRecipientContainer, type RecipientContainer, type RecipientCollateral } from '../common/recipient-container.js';

export interface AttestationDocumentOptions {
  /** When the evidence is made (epoch ms). Default: now. EKMS accepts it for 5 minutes by default. */
  issuedAt?: number;
  /** Vendor-signed collateral for verifiers that need it (SEV-SNP `vcek`, Intel `tcbInfo`, ...). */
  collateral?: Array<{ role: string; data: Uint8Array }>;
}

/** A recipient container for `publicKey` (RSA SubjectPublicKeyInfo DER, 2048-4096 bits) with this enclave's evidence. */
export async function attestationDocument(publicKey: Uint8Array, options: AttestationDocumentOptions = {}): Promise<Uint8Array> {
  const issuedAt = options.issuedAt ?? Date.now();
  const evidence = await getEvidence({ reportData: boundPart({ issuedAt, publicKey }) });
  return encodeRecipientContainer({ issuedAt, publicKey, mediaType: evidence.mediaType, evidence: evidence.data, collateral: options.collateral ?? [] });
}
