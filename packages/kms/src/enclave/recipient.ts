/**
 * Attested key release, inside the enclave: the request's `Recipient` is verified here — an AWS
 * Nitro attestation document (its `public_key` field is the recipient key) or a secGear
 * recipient container holding evidence of any TEE the unified verifier knows, whose report
 * data binds the key and the time (docs/formats/kms-recipient-evidence.md) — and the result is
 * encrypted to that key as CMS EnvelopedData before it leaves. The host sees only the CMS and
 * the claims it needs for key-policy conditions. Verification is here, not on the host,
 * because it decides which public key gets the plaintext: a host that verified would choose.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { builtInVerifiers, formatForMediaType, parseNitroDocument, verifyEvidence, VerifierRegistry, type NormalizedClaims, type VerificationResult } from 'secgear/attest/enclave';
import { random } from 'secgear/enclave';
import { decodeBase64 } from '../common/base64.js';
import { buildEnvelopedData } from '../common/cms-enveloped.js';
import { Exception, KmsError } from '../common/kms-error.js';
import type { RecipientFacts } from '../common/protocol.js';
import { isRecipientContainer, parseRecipientContainer } from '../common/recipient-container.js';
import { recipientTrust } from './recipient-trust.js';

/** The operations that take a Recipient, and the output field it replaces. */
export const RECIPIENT_FIELDS: Readonly<Record<string, string>> = {
  Decrypt: 'Plaintext',
  GenerateDataKey: 'Plaintext',
  GenerateDataKeyPair: 'PrivateKeyPlaintext',
  GenerateRandom: 'Plaintext',
};

export const KEY_ENCRYPTION_ALGORITHM = 'RSAES_OAEP_SHA_256';
/** Evidence stamped this far in the future of the enclave's clock is still accepted (clock skew). */
const FUTURE_SKEW_MS = 60_000;
const MAX_DOCUMENT = 64 * 1024;

// a registry of our own: plug-ins another part of the process registers never reach it
const verifiers = new VerifierRegistry(builtInVerifiers);

export interface VerifiedRecipient {
  /** SubjectPublicKeyInfo DER of the recipient's RSA key. */
  publicKey: Uint8Array;
  facts: RecipientFacts;
}

const denied = (why: string) => new KmsError(Exception.AccessDenied, `the Recipient's attestation is not accepted: ${why}`);
const hex = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : undefined);

function checkFresh(issuedAt: number, now: number, maxAgeMs: number, what: string): void {
  if (issuedAt > now + FUTURE_SKEW_MS) throw denied(`${what} is dated ${new Date(issuedAt).toISOString()}, in the future of this service's clock (${new Date(now).toISOString()})`);
  if (issuedAt < now - maxAgeMs) throw denied(`${what} is stale: made ${new Date(issuedAt).toISOString()}, older than ${maxAgeMs / 1000} s; make fresh evidence for each request`);
}

function rsaKey(spki: Uint8Array): void {
  let details;
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    details = key.asymmetricKeyDetails;
  } catch {
    throw new KmsError(Exception.Validation, 'the Recipient public key must be an RSA SubjectPublicKeyInfo (DER)');
  }
  const bits = details?.modulusLength ?? 0;
  if (bits < 2048 || bits > 4096) throw new KmsError(Exception.Validation, `the Recipient RSA key must have 2048 to 4096 bits, not ${bits}`);
}

/** verifyEvidence throws only for bad options; anything it throws here is the caller's evidence's fault. */
async function verified(run: () => Promise<VerificationResult>): Promise<VerificationResult> {
  try {
    return await run();
  } catch (error) {
    throw new KmsError(Exception.Validation, `the Recipient's evidence cannot be verified: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function accepted(result: VerificationResult): NormalizedClaims {
  if (!result.verified || !result.claims) {
    const failure = result.failure ?? { check: 'evidence', message: 'not verified' };
    throw denied(`check ${failure.check} failed: ${failure.message}`);
  }
  if (result.appraisal.status === 'contraindicated') throw denied(`appraisal contraindicated: ${result.appraisal.reasons.join('; ')}`);
  return result.claims;
}

function factsOf(document: Uint8Array, result: VerificationResult, claims: NormalizedClaims): RecipientFacts {
  const facts: RecipientFacts = {
    digest: createHash('sha256').update(document).digest('hex'),
    format: String(result.format),
    tee: String(claims.tee),
    appraisal: result.appraisal.status,
    measurements: Object.fromEntries(Object.entries(claims.measurements).map(([k, v]) => [k, hex(v)!])),
  };
  if (claims.measurement) facts.measurement = hex(claims.measurement);
  if (claims.signer) facts.signer = hex(claims.signer);
  if (claims.tcbStatus) facts.tcbStatus = claims.tcbStatus;
  if (claims.debug !== null) facts.debug = claims.debug;
  if (claims.prodId !== null) facts.prodId = claims.prodId;
  if (claims.svn !== null) facts.svn = claims.svn;
  return facts;
}

/** Verifies `Recipient` ({ KeyEncryptionAlgorithm, AttestationDocument }) at the enclave's time `clock`. */
export async function verifyRecipient(value: unknown, clock: number): Promise<VerifiedRecipient> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KmsError(Exception.Validation, 'Recipient must be an object with KeyEncryptionAlgorithm and AttestationDocument');
  const { KeyEncryptionAlgorithm: algorithm, AttestationDocument: encoded } = value as Record<string, unknown>;
  if (algorithm !== KEY_ENCRYPTION_ALGORITHM) {
    throw new KmsError(Exception.Validation, `1 validation error detected: Value at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [${KEY_ENCRYPTION_ALGORITHM}]`);
  }
  const document = decodeBase64(encoded, 'Recipient.AttestationDocument', { min: 1, max: MAX_DOCUMENT });
  const trust = recipientTrust();
  const now = trust.fixedTime ?? clock;
  const common = {
    verifiers,
    trustAnchors: trust.anchors,
    trustLocalSimRoot: false,
    now: new Date(now),
  };

  if (isRecipientContainer(document)) {
    const { container, bound } = parseRecipientContainer(document);
    rsaKey(container.publicKey);
    checkFresh(container.issuedAt, now, trust.maxAgeMs, 'the evidence');
    // a media type that names no known format is refused rather than guessed around
    const format = container.mediaType ? formatForMediaType(container.mediaType) : undefined;
    if (container.mediaType && !format) throw new KmsError(Exception.Validation, `the recipient container's media type "${container.mediaType}" names no evidence format this service verifies (leave it empty to have the format detected)`);
    const evidence = container.mediaType ? { mediaType: container.mediaType, data: container.evidence } : container.evidence;
    const result = await verified(() => verifyEvidence(evidence, { ...common, allowSimulation: trust.allowSimulation, reportData: bound, collateral: container.collateral }));
    const claims = accepted(result);
    return { publicKey: container.publicKey, facts: factsOf(document, result, claims) };
  }

  // otherwise an AWS Nitro attestation document, as AWS KMS takes it
  let nitro;
  try {
    nitro = parseNitroDocument(document);
  } catch (error) {
    throw new KmsError(Exception.Validation, `Recipient.AttestationDocument is neither an AWS Nitro attestation document nor a secGear recipient container (docs/formats/kms-recipient-evidence.md): ${(error as Error).message}`);
  }
  if (!nitro.publicKey) throw new KmsError(Exception.Validation, 'the Nitro attestation document has no public_key: request it with the RSA public key the answer is encrypted to');
  rsaKey(nitro.publicKey);
  const result = await verified(() => verifyEvidence(document, { ...common, format: 'nitro', allowSimulation: false }));
  const claims = accepted(result);
  checkFresh(nitro.timestamp, now, trust.maxAgeMs, 'the Nitro attestation document');
  return { publicKey: nitro.publicKey, facts: factsOf(document, result, claims) };
}

/** Replaces the operation's plaintext output by CiphertextForRecipient; the plaintext is zeroed. */
export function sealForRecipient(operation: string, out: Record<string, unknown>, recipient: VerifiedRecipient): void {
  const field = RECIPIENT_FIELDS[operation];
  const plaintext = field ? out[field] : undefined;
  if (!(plaintext instanceof Uint8Array)) throw new KmsError(Exception.Internal, `${operation} produced no plaintext to seal for the recipient`, 500);
  out.CiphertextForRecipient = buildEnvelopedData(plaintext, recipient.publicKey, random);
  plaintext.fill(0);
  delete out[field];
}
