/**
 * CiphertextForRecipient: a CMS EnvelopedData (RFC 5652) with one KeyTransRecipientInfo, the
 * content-encryption key wrapped with RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label; RFC 4055
 * parameters) and the content encrypted with AES-256-CBC (PKCS#7 padding) — the shape AWS KMS
 * returns to Nitro enclaves: EnvelopedData and KeyTransRecipientInfo of version 2, the
 * recipient named by its subjectKeyIdentifier (SHA-1 of the public key bits, RFC 5280 §4.2.1.2
 * method 1). BER like AWS's: ContentInfo, its [0], EnvelopedData and EncryptedContentInfo have
 * indefinite lengths (the AWS Nitro Enclaves SDK's reader steps into exactly those by their
 * headers), everything inside them is DER. `openEnvelopedData` is the recipient's side (and
 * what the tests use next to `openssl cms -decrypt`).
 */
import { constants, createCipheriv, createDecipheriv, createHash, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { decodeOid, derChildren, derContext, derNull, derOctetString, derOid, derSequence, derSet, derSmallInteger, derValue, readDer } from 'secgear/der';

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

/** A constructed element of indefinite length (BER): tag, 0x80, the children, end-of-contents. */
function indefinite(tag: number, ...children: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag, 0x80), ...children, Uint8Array.of(0, 0)]));
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
    const encryptedContentInfo = indefinite(
      0x30,
      derOid(OID.data),
      derSequence(derOid(OID.aes256Cbc), derOctetString(iv)),
      derContext(0, encryptedContent, false),
    );
    const envelopedData = indefinite(0x30, derSmallInteger(2), derSet(recipientInfo), encryptedContentInfo);
    return indefinite(0x30, derOid(OID.envelopedData), indefinite(0xa0, envelopedData));
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

/** One BER element: tag byte, content bounds, and where the next element starts. */
interface BerNode {
  tag: number;
  start: number;
  end: number;
  next: number;
}

const MAX_DEPTH = 16;
const malformed = (why: string) => new RangeError(`CMS EnvelopedData: ${why}`);

/** Reads a BER element (single-byte tags; definite lengths, or indefinite for constructed elements). */
function readBer(bytes: Uint8Array, offset: number, limit: number, depth = 0): BerNode {
  if (depth > MAX_DEPTH) throw malformed('nested too deeply');
  if (offset + 2 > limit) throw malformed(`truncated at offset ${offset}`);
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not expected');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length === 0x80) {
    if (!(tag & 0x20)) throw malformed('an indefinite length on a primitive element');
    let at = start;
    for (;;) {
      if (at + 2 > limit) throw malformed('an indefinite-length element has no end-of-contents');
      if (bytes[at] === 0 && bytes[at + 1] === 0) return { tag, start, end: at, next: at + 2 };
      at = readBer(bytes, at, limit, depth + 1).next;
    }
  }
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count > 4 || start + count > limit) throw malformed(`bad length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > limit) throw malformed(`an element at offset ${offset} runs past its container`);
  return { tag, start, end: start + length, next: start + length };
}

function berChildren(bytes: Uint8Array, node: BerNode): BerNode[] {
  const out: BerNode[] = [];
  for (let at = node.start; at < node.end; ) {
    const child = readBer(bytes, at, node.end);
    out.push(child);
    at = child.next;
  }
  return out;
}

function expect(node: BerNode | undefined, tag: number, what: string): BerNode {
  if (!node || node.tag !== tag) throw malformed(`${what} is missing or has the wrong type`);
  return node;
}

/** Reads CiphertextForRecipient (BER as written here and by AWS KMS; DER too): key transport by subjectKeyIdentifier. */
export function parseEnvelopedData(ber: Uint8Array): ParsedEnvelopedData {
  const value = (node: BerNode) => ber.subarray(node.start, node.end);
  const oid = (node: BerNode | undefined, what: string) => {
    const bytes = value(expect(node, 0x06, what));
    if (bytes.length === 0) throw malformed(`${what} is empty`);
    return decodeOid(bytes);
  };
  const outer = readBer(ber, 0, ber.length);
  if (outer.next !== ber.length) throw malformed('bytes follow the ContentInfo');
  const [type, explicit] = berChildren(ber, expect(outer, 0x30, 'ContentInfo'));
  if (oid(type, 'contentType') !== OID.envelopedData) throw malformed('the content is not EnvelopedData');
  const [enveloped] = berChildren(ber, expect(explicit, 0xa0, 'content'));
  const [version, infos, contentInfo, ...rest] = berChildren(ber, expect(enveloped, 0x30, 'EnvelopedData'));
  if (rest.length) throw malformed('unprotectedAttrs are not expected');
  if (value(expect(version, 0x02, 'version')).length !== 1) throw malformed('bad version');
  const recipients = berChildren(ber, expect(infos, 0x31, 'recipientInfos')).map((info) => {
    const [, rid, algorithm, encryptedKey] = berChildren(ber, expect(info, 0x30, 'KeyTransRecipientInfo'));
    return {
      subjectKeyIdentifier: value(expect(rid, 0x80, 'rid subjectKeyIdentifier')),
      keyEncryptionAlgorithm: oid(berChildren(ber, expect(algorithm, 0x30, 'keyEncryptionAlgorithm'))[0], 'key encryption OID'),
      encryptedKey: value(expect(encryptedKey, 0x04, 'encryptedKey')),
    };
  });
  const [, algorithm, content] = berChildren(ber, expect(contentInfo, 0x30, 'EncryptedContentInfo'));
  const [algorithmOid, iv] = berChildren(ber, expect(algorithm, 0x30, 'contentEncryptionAlgorithm'));
  let encryptedContent: Uint8Array;
  if (content?.tag === 0x80) encryptedContent = value(content);
  else encryptedContent = new Uint8Array(Buffer.concat(berChildren(ber, expect(content, 0xa0, 'encryptedContent')).map((part) => value(expect(part, 0x04, 'encryptedContent part')))));
  return {
    recipients,
    contentEncryptionAlgorithm: oid(algorithmOid, 'content encryption OID'),
    iv: value(expect(iv, 0x04, 'IV')),
    encryptedContent,
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
