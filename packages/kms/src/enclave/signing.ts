/**
 * Sign and Verify inside the enclave, for RAW messages and for precomputed digests
 * (`MessageType: DIGEST`): ECDSA, RSASSA-PSS, RSASSA-PKCS1-v1_5 and SM2DSA.
 *
 * RAW messages go to node:crypto (which hashes them). For DIGEST, node:crypto has no
 * "sign this hash" call, so: ECDSA uses @noble/curves with prehash off (constant-time
 * signing); PKCS#1 v1.5 is the RSA private operation over the DER DigestInfo (what the
 * standard signs); PSS is EMSA-PSS (RFC 8017, 9.1) encoded here around the raw RSA private
 * operation, salt length = hash length as AWS uses. OpenSSL does the RSA arithmetic, with
 * blinding, in both.
 *
 * SM2DSA follows AWS: RAW signs e = SM3(Z_A || M) with the default distinguishing ID
 * 1234567812345678; DIGEST signs the 32 bytes given as e, which must already be
 * SM3(Z_A || M) (with that ID, or with the caller's own ID to verify elsewhere). The service
 * cannot tell whether a digest includes Z; a plain SM3(M) gives signatures no SM2 verifier
 * accepts for M.
 */
import { constants, createHash, privateEncrypt, publicDecrypt, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { random } from 'secgear/enclave';
import { Exception, KmsError } from '../common/kms-error.js';
import type { KeySpec } from '../common/key-specs.js';
import { decodeSignature, encodeSignature, messageDigest, signDigest, SM2, verifyDigest } from './gm/sm2.js';
import type { UsableKey } from './key-material.js';

export type MessageType = 'RAW' | 'DIGEST';

type Hash = 'sha256' | 'sha384' | 'sha512' | 'sm3';
const HASH_LENGTH: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64, sm3: 32 };

/** RFC 8017, 9.2 note 1: DER of DigestInfo up to the digest itself. */
const DIGEST_INFO_PREFIX: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

const ECDSA_CURVES = { ECC_NIST_P256: p256, ECC_NIST_P384: p384, ECC_SECG_P256K1: secp256k1 } as const;

export interface SigningRequest {
  spec: KeySpec;
  algorithm: string;
  messageType: MessageType;
  message: Uint8Array;
}

function hashOf(algorithm: string): Hash {
  if (algorithm === 'SM2DSA') return 'sm3';
  const suffix = algorithm.slice(-7);
  if (suffix === 'SHA_256') return 'sha256';
  if (suffix === 'SHA_384') return 'sha384';
  if (suffix === 'SHA_512') return 'sha512';
  throw new KmsError(Exception.InvalidKeyUsage, `unknown signing algorithm ${algorithm}`);
}

/** Checks a DIGEST message has the length of the algorithm's hash (AWS: ValidationException). */
function checkDigest(request: SigningRequest, hash: Hash): void {
  if (request.messageType === 'DIGEST' && request.message.length !== HASH_LENGTH[hash]) {
    throw new KmsError(Exception.Validation, `Digest is invalid length for algorithm ${request.algorithm}: it must be ${HASH_LENGTH[hash]} bytes, got ${request.message.length}`);
  }
}

function ecdsaCurve(spec: KeySpec) {
  const curve = ECDSA_CURVES[spec as keyof typeof ECDSA_CURVES];
  if (!curve) throw new KmsError(Exception.InvalidKeyUsage, `a ${spec} key does not sign with ECDSA`);
  return curve;
}

function ecPublicPoint(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.concat([Uint8Array.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

function mgf1(hash: Hash, seed: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let counter = 0, at = 0; at < length; counter++, at += HASH_LENGTH[hash]) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    createHash(hash).update(seed).update(c).digest().copy(out, at);
  }
  return out;
}

function modulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new KmsError(Exception.Internal, 'RSA key without a modulus length', 500);
  return bits;
}

/** EMSA-PSS-ENCODE with sLen = hLen, left-padded to the modulus length for the raw RSA operation. */
function pssEncode(hash: Hash, digest: Uint8Array, bits: number): Buffer {
  const hLen = HASH_LENGTH[hash];
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < 2 * hLen + 2) throw new KmsError(Exception.InvalidKeyUsage, 'the RSA key is too small for this PSS hash');
  const salt = random(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 0x01;
  db.set(salt, emLen - hLen - 1 - hLen);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([db, h, Uint8Array.of(0xbc)]);
  const k = Math.ceil(bits / 8);
  return k === emLen ? em : Buffer.concat([Buffer.alloc(k - emLen), em]);
}

/** EMSA-PSS-VERIFY with sLen = hLen over the raw RSA public operation's output. */
function pssVerify(hash: Hash, digest: Uint8Array, raw: Buffer, bits: number): boolean {
  const hLen = HASH_LENGTH[hash];
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (raw.length < emLen || raw.subarray(0, raw.length - emLen).some((b) => b !== 0)) return false;
  const em = raw.subarray(raw.length - emLen);
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const masked = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((masked[0] & ~topMask) !== 0) return false;
  const db = mgf1(hash, h, masked.length);
  for (let i = 0; i < db.length; i++) db[i] ^= masked[i];
  db[0] &= topMask;
  const separator = emLen - 2 * hLen - 2;
  if (db.subarray(0, separator).some((b) => b !== 0) || db[separator] !== 0x01) return false;
  const salt = db.subarray(db.length - hLen);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return timingSafeEqual(expected, h);
}

function rsaRawOptions(algorithm: string) {
  return algorithm.startsWith('RSASSA_PSS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : { padding: constants.RSA_PKCS1_PADDING };
}

export function signMessage(key: UsableKey, request: SigningRequest): Uint8Array {
  const hash = hashOf(request.algorithm);
  checkDigest(request, hash);
  if (key.kind === 'sm2') {
    const e = request.messageType === 'DIGEST' ? request.message : messageDigest(SM2, key.point, request.message);
    return encodeSignature(signDigest(SM2, key.d, e));
  }
  if (key.kind !== 'private') throw new KmsError(Exception.InvalidKeyUsage, 'this key does not sign');
  const rsa = request.spec.startsWith('RSA_');
  if (request.messageType === 'RAW') return new Uint8Array(sign(hash, request.message, { key: key.key, ...(rsa ? rsaRawOptions(request.algorithm) : {}) }));
  if (!rsa) {
    const d = Buffer.from(key.key.export({ format: 'jwk' }).d!, 'base64url');
    try {
      // hedged RFC 6979 nonce (fresh entropy mixed in), like OpenSSL's randomized RAW signatures
      return ecdsaCurve(request.spec).sign(request.message, d, { prehash: false, format: 'der', lowS: false, extraEntropy: true });
    } finally {
      d.fill(0);
    }
  }
  if (request.algorithm.startsWith('RSASSA_PKCS1')) {
    const digestInfo = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), request.message]);
    return new Uint8Array(privateEncrypt({ key: key.key, padding: constants.RSA_PKCS1_PADDING }, digestInfo));
  }
  const encoded = pssEncode(hash, request.message, modulusBits(key.key));
  return new Uint8Array(privateEncrypt({ key: key.key, padding: constants.RSA_NO_PADDING }, encoded));
}

export function verifyMessage(key: UsableKey, request: SigningRequest, signature: Uint8Array): boolean {
  const hash = hashOf(request.algorithm);
  checkDigest(request, hash);
  if (key.kind === 'sm2') {
    const parsed = decodeSignature(signature);
    const e = request.messageType === 'DIGEST' ? request.message : messageDigest(SM2, key.point, request.message);
    return parsed !== undefined && verifyDigest(SM2, key.point, e, parsed);
  }
  if (key.kind !== 'private') throw new KmsError(Exception.InvalidKeyUsage, 'this key does not verify signatures');
  const rsa = request.spec.startsWith('RSA_');
  if (request.messageType === 'RAW') {
    return verify(hash, request.message, { key: key.publicKey, ...(rsa ? rsaRawOptions(request.algorithm) : {}) }, signature);
  }
  if (!rsa) {
    try {
      return ecdsaCurve(request.spec).verify(signature, request.message, ecPublicPoint(key.publicKey), { prehash: false, format: 'der', lowS: false });
    } catch {
      return false;
    }
  }
  const bits = modulusBits(key.publicKey);
  if (signature.length !== Math.ceil(bits / 8)) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: key.publicKey, padding: request.algorithm.startsWith('RSASSA_PKCS1') ? constants.RSA_PKCS1_PADDING : constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  if (request.algorithm.startsWith('RSASSA_PKCS1')) {
    const expected = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), request.message]);
    return recovered.length === expected.length && timingSafeEqual(recovered, expected);
  }
  return pssVerify(hash, request.message, recovered, bits);
}
