/**
 * CiphertextForRecipient: a CMS EnvelopedData (RFC 5652) with one KeyTransRecipientInfo, the
 * content-encryption key wrapped with RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label; RFC 4055
 * parameters) and the content encrypted with AES-256-CBC (PKCS#7 padding) — the shape AWS KMS
 * returns to Nitro enclaves. DER, wrapped in a ContentInfo. The recipient is named by its
 * subjectKeyIdentifier (SHA-1 of the public key bits, RFC 5280 §4.2.1.2 method 1), since a
 * recipient enclave has a bare key, not a certificate. `openEnvelopedData` is the recipient's
 * side (and what the tests use next to `openssl cms -decrypt`).
 */
import { constants, createCipheriv, createDecipheriv, createHash, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import {
  decodeOid, decodeSmallInt, derChildren, derContext, derNull, derOctetString, derOid, derSequence, derSet, derSmallInteger, derValue, readDer, type DerNode,
} from 'secgear/der';

export const OID = {
  envelopedData: '1.2.840.113549.1.7.3',
  data: '1.2.840.113549.1.7.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

const sha256Identifier = () => derSequence(derOid(OID.sha256), derNull());

/** RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055 rSAES-OAEP-SHA256-Identifier; pSourceFunc left at its default). */
export function rsaesOaepSha256Identifier(): Uint8Array {
  const params = derSequence(derContext(0, sha256Identifier(), true), derContext(1, derSequence(derOid(OID.mgf1), sha256Identifier()), true));
  return derSequence(derOid(OID.rsaesOaep), params);
}

/** SHA-1 of the subjectPublicKey BIT STRING's bytes (without its unused-bits byte). */
export function subjectKeyIdentifier(spki: Uint8Array): Uint8Array {
  const [, bitString] = derChildren(readDer(spki));
  if (!bitString || bitString.tag !== 0x03) throw new RangeError('not a SubjectPublicKeyInfo');
  return new Uint8Array(createHash('sha1').update(derValue(bitString).subarray(1)).digest());
}

/** Encrypts `plaintext` to the RSA public key `spki` (SubjectPublicKeyInfo DER). */
export function buildEnvelopedData(plaintext: Uint8Array, spki: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const contentKey = random(32);
  const iv = random(16);
  try {
    const cipher = createCipheriv('aes-256-cbc', contentKey, iv);
    const encryptedContent = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, contentKey);
    const recipientInfo = derSequence(
      derSmallInteger(2), // version 2: rid is a subjectKeyIdentifier
      derContext(0, subjectKeyIdentifier(spki), false),
      rsaesOaepSha256Identifier(),
      derOctetString(encryptedKey),
    );
    const encryptedContentInfo = derSequence(
      derOid(OID.data),
      derSequence(derOid(OID.aes256Cbc), derOctetString(iv)),
      derContext(0, encryptedContent, false),
    );
    const envelopedData = derSequence(derSmallInteger(2), derSet(recipientInfo), encryptedContentInfo);
    return derSequence(derOid(OID.envelopedData), derContext(0, envelopedData, true));
  } finally {
    contentKey.fill(0);
  }
}

export interface EnvelopedRecipient {
  subjectKeyIdentifier: Uint8Array;
  keyEncryptionAlgorithm: string;
  encryptedKey: Uint8Array;
}

export interface ParsedEnvelopedData {
  recipients: EnvelopedRecipient[];
  contentEncryptionAlgorithm: string;
  iv: Uint8Array;
  encryptedContent: Uint8Array;
}

function expect(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new RangeError(`CMS EnvelopedData: ${what} is missing or has the wrong type`);
  return node;
}

/** Reads the structure this module writes (DER, key transport by subjectKeyIdentifier). */
export function parseEnvelopedData(der: Uint8Array): ParsedEnvelopedData {
  const outer = readDer(der);
  if (outer.end !== der.length) throw new RangeError('CMS EnvelopedData: bytes follow the ContentInfo');
  const [type, explicit] = derChildren(expect(outer, 0x30, 'ContentInfo'));
  if (decodeOid(derValue(expect(type, 0x06, 'contentType'))) !== OID.envelopedData) throw new RangeError('CMS: the content is not EnvelopedData');
  const [enveloped] = derChildren(expect(explicit, 0xa0, 'content'));
  const [version, infos, contentInfo, ...rest] = derChildren(expect(enveloped, 0x30, 'EnvelopedData'));
  if (rest.length) throw new RangeError('CMS EnvelopedData: unprotectedAttrs are not expected');
  decodeSmallInt(derValue(expect(version, 0x02, 'version')));
  const recipients = derChildren(expect(infos, 0x31, 'recipientInfos')).map((info) => {
    const [, rid, algorithm, encryptedKey] = derChildren(expect(info, 0x30, 'KeyTransRecipientInfo'));
    const [oid] = derChildren(expect(algorithm, 0x30, 'keyEncryptionAlgorithm'));
    return {
      subjectKeyIdentifier: derValue(expect(rid, 0x80, 'rid subjectKeyIdentifier')),
      keyEncryptionAlgorithm: decodeOid(derValue(expect(oid, 0x06, 'key encryption OID'))),
      encryptedKey: derValue(expect(encryptedKey, 0x04, 'encryptedKey')),
    };
  });
  const [, algorithm, content] = derChildren(expect(contentInfo, 0x30, 'EncryptedContentInfo'));
  const [algorithmOid, iv] = derChildren(expect(algorithm, 0x30, 'contentEncryptionAlgorithm'));
  return {
    recipients,
    contentEncryptionAlgorithm: decodeOid(derValue(expect(algorithmOid, 0x06, 'content encryption OID'))),
    iv: derValue(expect(iv, 0x04, 'IV')),
    encryptedContent: derValue(expect(content, 0x80, 'encryptedContent')),
  };
}

/** The recipient's side: unwraps the content key with `privateKey` and decrypts. */
export function openEnvelopedData(der: Uint8Array, privateKey: KeyObject): Uint8Array {
  const parsed = parseEnvelopedData(der);
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const ski = Buffer.from(subjectKeyIdentifier(spki));
  const recipient = parsed.recipients.find((r) => ski.equals(r.subjectKeyIdentifier));
  if (!recipient) throw new RangeError('CMS EnvelopedData: no recipient matches this key');
  if (recipient.keyEncryptionAlgorithm !== OID.rsaesOaep || parsed.contentEncryptionAlgorithm !== OID.aes256Cbc) throw new RangeError('CMS EnvelopedData: expected RSAES-OAEP and AES-256-CBC');
  const contentKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, recipient.encryptedKey);
  try {
    const decipher = createDecipheriv('aes-256-cbc', contentKey, parsed.iv);
    return new Uint8Array(Buffer.concat([decipher.update(parsed.encryptedContent), decipher.final()]));
  } finally {
    contentKey.fill(0);
  }
}
