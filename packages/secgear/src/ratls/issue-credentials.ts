/**
 * Issues RA-TLS credentials: a fresh key pair and a self-signed certificate that carries
 * evidence bound to that key. Runs where the key must live (inside the enclave, through
 * `createRaTlsCredentials` of `secgear/ratls/enclave`); the evidence comes from the caller's
 * provider so that the same code is testable against a simulated platform.
 */
import type { KeyObject } from 'node:crypto';
import { tagForFormat } from '../attest/verifiers/ra-tls-cert/evidence-tags.js';
import { encodeSecGearExtension, SECGEAR_EVIDENCE_OID } from '../attest/verifiers/ra-tls-cert/secgear-extension.js';
import { formatForMediaType } from '../attest/media-types.js';
import { concatBytes, isBytes } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { certificatePem, writeSelfSignedCertificate } from './certificate-writer.js';
import { claimsReportData, encodeClaims, encodeTaggedEvidence, sha256 } from './evidence-claims.js';
import { keyTypeSpec, type RaTlsKeyType } from './key-types.js';

export const TCG_TAGGED_EVIDENCE_OID = '2.23.133.5.4.9';
/** Largest nonce claim accepted (the verifier's challenge; 32 bytes is plenty). */
export const MAX_CERTIFICATE_NONCE = 256;
const MAX_VALIDITY_SECONDS = 397 * 24 * 3600;

export interface RaTlsCredentialOptions {
  /** Default `p256`. */
  keyType?: RaTlsKeyType;
  /** Seconds the certificate is valid from now. Default 86 400 (one day), at most 397 days. */
  validity?: number;
  /** A verifier's challenge, written as the `nonce` claim for pre-session freshness. */
  nonce?: Uint8Array;
  /** subjectAltName DNS names and IP addresses. Default `["localhost"]`. */
  altNames?: string[];
  /** Subject common name. Default `secGear RA-TLS`. */
  commonName?: string;
}

export interface RaTlsEvidence {
  mediaType: string;
  data: Uint8Array;
}

/** What the enclave holds after `createRaTlsCredentials`: the private key never leaves it. */
export interface RaTlsCredentials {
  keyType: RaTlsKeyType;
  /** The certificate, DER. */
  certificate: Uint8Array;
  certificatePem: string;
  /** The private key (a KeyObject in the enclave's realm; pass it to the in-enclave TLS server). */
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo of the certificate key. */
  spki: Uint8Array;
  evidence: RaTlsEvidence;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Gets evidence that binds `reportData` (64 bytes): as the TEE's report data itself, or, on
 * secGear's platforms (`getEvidence({ reportData })`), through secGear's evidence binding.
 */
export type RaTlsEvidenceProvider = (reportData: Uint8Array) => Promise<RaTlsEvidence>;

function bad(message: string): never {
  throw new SecGearError(ErrorCode.BAD_PARAMETERS, `createRaTlsCredentials: ${message}`);
}

function checkOptions(options: RaTlsCredentialOptions): Required<Omit<RaTlsCredentialOptions, 'nonce'>> & { nonce?: Uint8Array } {
  if (typeof options !== 'object' || options === null) bad('pass an options object');
  const keyType = options.keyType ?? 'p256';
  keyTypeSpec(keyType);
  const validity = options.validity ?? 86_400;
  if (!Number.isInteger(validity) || validity < 60 || validity > MAX_VALIDITY_SECONDS) bad(`validity must be whole seconds from 60 to ${MAX_VALIDITY_SECONDS}`);
  if (options.nonce !== undefined && (!isBytes(options.nonce) || options.nonce.byteLength === 0 || options.nonce.byteLength > MAX_CERTIFICATE_NONCE)) {
    bad(`nonce must be a Uint8Array of 1 to ${MAX_CERTIFICATE_NONCE} bytes`);
  }
  const altNames = options.altNames ?? ['localhost'];
  if (!Array.isArray(altNames) || altNames.some((n) => typeof n !== 'string' || n.length === 0 || n.length > 253 || !/^[A-Za-z0-9.*:-]+$/.test(n))) {
    bad('altNames must be DNS names or IP addresses');
  }
  const commonName = options.commonName ?? 'secGear RA-TLS';
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) bad('commonName must be 1 to 64 characters');
  return { keyType, validity, nonce: options.nonce, altNames, commonName };
}

export async function issueRaTlsCredentials(options: RaTlsCredentialOptions, evidenceFor: RaTlsEvidenceProvider, now: number = Date.now()): Promise<RaTlsCredentials> {
  const o = checkOptions(options);
  const { privateKey, publicKey } = keyTypeSpec(o.keyType).generate();
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const claims = encodeClaims(spki, o.nonce);
  const evidence = await evidenceFor(claimsReportData(claims));
  const format = formatForMediaType(evidence.mediaType);
  if (!format || format === 'ra-tls-cert') throw new SecGearError(ErrorCode.NOT_SUPPORTED, `no RA-TLS evidence tag for media type ${evidence.mediaType}`);
  // secGear's challenge: 32 bytes of the claims hash, then SHA-256 of the key
  const challenge = concatBytes(sha256(claims), sha256(spki));
  // a minute of slack for a peer whose clock runs behind
  const notBefore = new Date(Math.floor(now / 1000) * 1000 - 60_000);
  const notAfter = new Date(Math.floor(now / 1000) * 1000 + o.validity * 1000);
  const certificate = writeSelfSignedCertificate({
    keyType: o.keyType,
    privateKey,
    spki,
    commonName: o.commonName,
    organization: 'secGear',
    notBefore,
    notAfter,
    altNames: o.altNames,
    extensions: [
      { oid: TCG_TAGGED_EVIDENCE_OID, critical: false, value: encodeTaggedEvidence(tagForFormat(format), evidence.data, claims) },
      { oid: SECGEAR_EVIDENCE_OID, critical: false, value: encodeSecGearExtension(challenge, evidence.data) },
    ],
  });
  return { keyType: o.keyType, certificate, certificatePem: certificatePem(certificate), privateKey, spki, evidence, notBefore, notAfter };
}
