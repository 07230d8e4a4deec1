/**
 * The secGear recipient container (docs/formats/kms-recipient-evidence.md): what a caller
 * enclave of any TEE puts in `Recipient.AttestationDocument` instead of an AWS Nitro document.
 * It carries the enclave's evidence (any format the unified verifier knows, in its envelope's
 * media type), the RSA public key the answer is encrypted to, and the time the evidence was
 * made; the evidence's report data binds the version, the time and the key
 * (`evidenceBinding({ reportData: boundPart })`), so neither the key nor the time can be swapped.
 * Used by callers (encode) and by the EKMS enclave (parse); nothing here checks a signature.
 */
import { Exception, KmsError } from './kms-error.js';

export const CONTAINER_MAGIC = new Uint8Array([0x53, 0x47, 0x4b, 0x52]); // "SGKR"
export const CONTAINER_VERSION = 1;
export const MAX_MEDIA_TYPE = 128;
/** magic (4), version (1), issuedAt (8) */
const HEADER = 13;
export const MAX_PUBLIC_KEY = 2048;
export const MAX_EVIDENCE = 48 * 1024;
export const MAX_COLLATERAL_ITEMS = 8;
export const MAX_ROLE = 32;
export const MAX_COLLATERAL = 32 * 1024;

export interface RecipientCollateral {
  /** Collateral role as `verifyEvidence` names it (`vcek`, `tcbInfo`, `pckCrl`, ...). */
  role: string;
  data: Uint8Array;
}

export interface RecipientContainer {
  /** Milliseconds since the Unix epoch: when the evidence was made (checked against a window). */
  issuedAt: number;
  /** The evidence envelope's media type; empty: the verifier detects the format from the bytes. */
  mediaType: string;
  /** SubjectPublicKeyInfo DER of the recipient's RSA key. */
  publicKey: Uint8Array;
  evidence: Uint8Array;
  /** Vendor-signed collateral the verifier needs (SEV-SNP VCEK, Intel TCB info, ...); not bound: it verifies on its own. */
  collateral: RecipientCollateral[];
}

const ascii = (text: string) => /^[\x20-\x7e]*$/.test(text);
const bad = (why: string) => new KmsError(Exception.Validation, `Recipient.AttestationDocument is not a valid secGear recipient container: ${why}`);

/** True when the bytes start like a container (a Nitro document starts with a CBOR array or tag). */
export function isRecipientContainer(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && CONTAINER_MAGIC.every((b, i) => bytes[i] === b);
}

/** The bytes the evidence binds: magic, version, issuedAt and the public key (what a container starts with). */
export function boundPart(container: Pick<RecipientContainer, 'issuedAt' | 'publicKey'>): Uint8Array {
  const { issuedAt, publicKey } = container;
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RangeError('issuedAt must be a non-negative integer (epoch milliseconds)');
  if (publicKey.length < 1 || publicKey.length > MAX_PUBLIC_KEY) throw new RangeError(`publicKey must be 1 to ${MAX_PUBLIC_KEY} bytes`);
  const out = new Uint8Array(HEADER + 2 + publicKey.length);
  const view = new DataView(out.buffer);
  out.set(CONTAINER_MAGIC, 0);
  out[4] = CONTAINER_VERSION;
  view.setBigUint64(5, BigInt(issuedAt));
  view.setUint16(HEADER, publicKey.length);
  out.set(publicKey, HEADER + 2);
  return out;
}

export function encodeRecipientContainer(container: RecipientContainer): Uint8Array {
  const head = boundPart(container);
  const { evidence, collateral, mediaType } = container;
  if (!ascii(mediaType) || mediaType.length > MAX_MEDIA_TYPE) throw new RangeError(`mediaType must be printable ASCII of at most ${MAX_MEDIA_TYPE} characters`);
  if (evidence.length < 1 || evidence.length > MAX_EVIDENCE) throw new RangeError(`evidence must be 1 to ${MAX_EVIDENCE} bytes`);
  if (collateral.length > MAX_COLLATERAL_ITEMS) throw new RangeError(`at most ${MAX_COLLATERAL_ITEMS} collateral items`);
  const parts: Uint8Array[] = [head, Uint8Array.of(mediaType.length), new TextEncoder().encode(mediaType), u32(evidence.length), evidence, Uint8Array.of(collateral.length)];
  for (const item of collateral) {
    if (!ascii(item.role) || item.role.length < 1 || item.role.length > MAX_ROLE) throw new RangeError(`a collateral role is 1 to ${MAX_ROLE} printable ASCII characters`);
    if (item.data.length < 1 || item.data.length > MAX_COLLATERAL) throw new RangeError(`a collateral item is 1 to ${MAX_COLLATERAL} bytes`);
    parts.push(Uint8Array.of(item.role.length), new TextEncoder().encode(item.role), u32(item.data.length), item.data);
  }
  return new Uint8Array(Buffer.concat(parts));
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** Parses a container; every length is checked against what is left and against its limit. */
export function parseRecipientContainer(bytes: Uint8Array): { container: RecipientContainer; bound: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number, what: string) => {
    if (n > bytes.length - at) throw bad(`it ends inside ${what}`);
  };
  need(HEADER, 'the header');
  if (!isRecipientContainer(bytes)) throw bad('it does not start with "SGKR"');
  if (bytes[4] !== CONTAINER_VERSION) throw bad(`version ${bytes[4]} is not supported (this service reads version ${CONTAINER_VERSION})`);
  const issued = view.getBigUint64(5);
  if (issued > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('issuedAt is out of range');
  at = HEADER;
  need(2, 'the public key length');
  const keyLength = view.getUint16(at);
  at += 2;
  if (keyLength < 1 || keyLength > MAX_PUBLIC_KEY) throw bad(`the public key must be 1 to ${MAX_PUBLIC_KEY} bytes`);
  need(keyLength, 'the public key');
  const publicKey = bytes.slice(at, at + keyLength);
  at += keyLength;
  const bound = bytes.slice(0, at);
  need(1, 'the media type length');
  const mediaLength = bytes[at++];
  if (mediaLength > MAX_MEDIA_TYPE) throw bad(`the media type is longer than ${MAX_MEDIA_TYPE} bytes`);
  need(mediaLength, 'the media type');
  const mediaType = String.fromCharCode(...bytes.subarray(at, at + mediaLength));
  if (!ascii(mediaType)) throw bad('the media type is not printable ASCII');
  at += mediaLength;
  need(4, 'the evidence length');
  const evidenceLength = view.getUint32(at);
  at += 4;
  if (evidenceLength < 1 || evidenceLength > MAX_EVIDENCE) throw bad(`the evidence must be 1 to ${MAX_EVIDENCE} bytes`);
  need(evidenceLength, 'the evidence');
  const evidence = bytes.slice(at, at + evidenceLength);
  at += evidenceLength;
  need(1, 'the collateral count');
  const count = bytes[at++];
  if (count > MAX_COLLATERAL_ITEMS) throw bad(`at most ${MAX_COLLATERAL_ITEMS} collateral items`);
  const collateral: RecipientCollateral[] = [];
  for (let i = 0; i < count; i++) {
    need(1, 'a collateral role length');
    const roleLength = bytes[at++];
    if (roleLength < 1 || roleLength > MAX_ROLE) throw bad(`a collateral role must be 1 to ${MAX_ROLE} bytes`);
    need(roleLength, 'a collateral role');
    const role = String.fromCharCode(...bytes.subarray(at, at + roleLength));
    if (!ascii(role)) throw bad('a collateral role is not printable ASCII');
    at += roleLength;
    need(4, 'a collateral length');
    const length = view.getUint32(at);
    at += 4;
    if (length < 1 || length > MAX_COLLATERAL) throw bad(`a collateral item must be 1 to ${MAX_COLLATERAL} bytes`);
    need(length, 'a collateral item');
    collateral.push({ role, data: bytes.slice(at, at + length) });
    at += length;
  }
  if (at !== bytes.length) throw bad(`${bytes.length - at} bytes follow its end`);
  return { container: { issuedAt: Number(issued), mediaType, publicKey, evidence, collateral }, bound };
}
