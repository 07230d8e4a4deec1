/**
 * The simulated attestation PKI of one machine: a self-signed root (ECDSA P-384) that certifies
 * one attestation key (ECDSA P-384), in the role Intel's root CA and PCK certificates play for
 * SGX. The root's private key signs the attestation-key certificate once and is then dropped,
 * so nothing on disk can mint a second attestation key under the same root.
 */
import { type KeyObject, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { toHex } from '../../common/bytes.js';
import {
  derBitString,
  derBoolean,
  derContext,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derUnsignedInteger,
  derUtf8String,
} from '../../common/der-writer.js';

/** Organisation name of every simulated certificate; how the sim verifier recognises a sim root. */
export const SIM_ORGANIZATION = 'secGear simulation (no hardware protection)';

const OID = {
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
};

export interface SimCertificates {
  rootCertificate: Uint8Array;
  attestationCertificate: Uint8Array;
  attestationKey: KeyObject;
}

function name(commonName: string): Uint8Array {
  return derSequence(
    derSet(derSequence(derOid(OID.organization), derUtf8String(SIM_ORGANIZATION))),
    derSet(derSequence(derOid(OID.commonName), derUtf8String(commonName))),
  );
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return derSequence(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (an identifier, not a security function). */
function keyIdentifier(spki: Uint8Array): Uint8Array {
  // an EC SPKI ends with the BIT STRING holding the point; the point is the last 97 bytes for P-384
  return new Uint8Array(createHash('sha1').update(spki.subarray(spki.byteLength - 97)).digest());
}

function serialNumber(): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and exactly 16 bytes
  return serial;
}

interface CertificateFields {
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  issuerSpki: Uint8Array;
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
}

function certificate(fields: CertificateFields): Uint8Array {
  const algorithm = derSequence(derOid(OID.ecdsaWithSha384));
  const extensions = [
    extension(OID.basicConstraints, true, fields.ca ? derSequence(derBoolean(true), derSmallInteger(0)) : derSequence()),
    // keyCertSign|cRLSign (bits 5, 6) for the root; digitalSignature (bit 0) for the attestation key
    extension(OID.keyUsage, true, fields.ca ? derBitString(Uint8Array.of(0x06), 1) : derBitString(Uint8Array.of(0x80), 7)),
    extension(OID.subjectKeyIdentifier, false, derOctetString(keyIdentifier(fields.spki))),
    extension(OID.authorityKeyIdentifier, false, derSequence(derContext(0, keyIdentifier(fields.issuerSpki), false))),
  ];
  const tbs = derSequence(
    derContext(0, derSmallInteger(2), true),
    derUnsignedInteger(serialNumber()),
    algorithm,
    fields.issuer,
    derSequence(derTime(fields.notBefore), derTime(fields.notAfter)),
    fields.subject,
    fields.spki,
    derContext(3, derSequence(...extensions), true),
  );
  const signature = new Uint8Array(sign('sha384', tbs, { key: fields.signingKey, dsaEncoding: 'der' }));
  return derSequence(tbs, algorithm, derBitString(signature));
}

/**
 * Creates a fresh root and attestation key. Validity: from a day before `now` (clock skew
 * between processes) for 30 years; there is no renewal because the root key is not kept.
 */
export function createSimCertificates(now: Date = new Date()): SimCertificates {
  const root = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const attestation = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rootSpki = new Uint8Array(root.publicKey.export({ type: 'spki', format: 'der' }));
  const akSpki = new Uint8Array(attestation.publicKey.export({ type: 'spki', format: 'der' }));
  const instance = toHex(keyIdentifier(rootSpki)).slice(0, 16);
  const rootName = name(`secGear simulated attestation root ${instance}`);
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  const notAfter = new Date(now.getTime() + 30 * 365 * 24 * 3600 * 1000);
  const rootCertificate = certificate({
    issuer: rootName,
    subject: rootName,
    spki: rootSpki,
    issuerSpki: rootSpki,
    signingKey: root.privateKey,
    notBefore,
    notAfter,
    ca: true,
  });
  const attestationCertificate = certificate({
    issuer: rootName,
    subject: name(`secGear simulated attestation key ${instance}`),
    spki: akSpki,
    issuerSpki: rootSpki,
    signingKey: root.privateKey,
    notBefore,
    notAfter,
    ca: false,
  });
  return { rootCertificate, attestationCertificate, attestationKey: attestation.privateKey };
}
