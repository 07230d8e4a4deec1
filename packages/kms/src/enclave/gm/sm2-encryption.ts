/**
 * SM2 public-key encryption (GB/T 32918.4 / GM/T 0003.4), the SM2PKE algorithm of AWS KMS.
 * The ciphertext is the ASN.1 structure of GM/T 0009 (C1 C3 C2 order), as AWS returns it:
 *
 *   SM2Cipher ::= SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER,
 *                            HASH OCTET STRING (32), CipherText OCTET STRING }
 *
 * Same arithmetic and side-channel notes as sm2.ts: the ephemeral k and the private key d
 * only enter noble's constant-time `multiply`; the hash check is constant-time.
 */
import { timingSafeEqual } from 'node:crypto';
import { bigintToBytes, derOctets, derSequence, derUnsigned, readOctets, readSequence, readUnsigned } from './der.js';
import { randomScalar, sm3, SM2, withTables, type Sm2Group, type Sm2Point } from './sm2.js';

/** The key derivation function of GB/T 32918.4, 5.4.3, with SM3. */
function kdf(shared: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 1, at = 0; at < length; counter++, at += 32) {
    const block = sm3(shared, Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff));
    out.set(block.subarray(0, Math.min(32, length - at)), at);
  }
  return out;
}

const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

export class Sm2DecryptionError extends Error {}

/** Encrypts `message` (at least one byte) to `publicKey`. `nonce` is for known-answer tests only. */
export function sm2Encrypt(publicKey: Sm2Point, message: Uint8Array, group: Sm2Group = SM2, nonce?: bigint): Uint8Array {
  if (message.length === 0) throw new RangeError('SM2 encryption needs at least one byte');
  publicKey.assertValidity();
  const recipient = withTables(group, publicKey);
  for (;;) {
    const k = nonce ?? randomScalar(group);
    const c1 = group.Point.BASE.multiply(k).toAffine();
    const shared = recipient.multiply(k).toAffine();
    const x2 = bigintToBytes(shared.x, group.size);
    const y2 = bigintToBytes(shared.y, group.size);
    const t = kdf(Buffer.concat([x2, y2]), message.length);
    if (allZero(t)) {
      if (nonce !== undefined) throw new RangeError('the given nonce gives an all-zero key stream');
      continue;
    }
    const c2 = t.map((byte, i) => byte ^ message[i]);
    const c3 = sm3(x2, message, y2);
    t.fill(0);
    return derSequence(derUnsigned(c1.x), derUnsigned(c1.y), derOctets(c3), derOctets(c2));
  }
}

/** Decrypts an SM2Cipher with the private scalar `d`; one error for every kind of failure. */
export function sm2Decrypt(d: bigint, ciphertext: Uint8Array, group: Sm2Group = SM2): Uint8Array {
  let c1: Sm2Point;
  let c3: Uint8Array;
  let c2: Uint8Array;
  try {
    const items = readSequence(ciphertext);
    if (items.length !== 4) throw new Sm2DecryptionError('not an SM2Cipher');
    const x = readUnsigned(items[0]);
    const y = readUnsigned(items[1]);
    c3 = readOctets(items[2]);
    c2 = readOctets(items[3]);
    if (c3.length !== 32 || c2.length === 0 || x >= group.params.p || y >= group.params.p) throw new Sm2DecryptionError('not an SM2Cipher');
    c1 = group.Point.fromAffine({ x, y });
    // on the curve and not the point at infinity; the cofactor is 1, so that is the whole check
    c1.assertValidity();
  } catch {
    throw new Sm2DecryptionError('the ciphertext is not an SM2 ciphertext (GM/T 0009 SM2Cipher)');
  }
  const shared = c1.multiply(d).toAffine();
  const x2 = bigintToBytes(shared.x, group.size);
  const y2 = bigintToBytes(shared.y, group.size);
  const t = kdf(Buffer.concat([x2, y2]), c2.length);
  if (allZero(t)) throw new Sm2DecryptionError('the ciphertext does not decrypt with this key');
  const message = c2.map((byte, i) => byte ^ t[i]);
  t.fill(0);
  if (!timingSafeEqual(sm3(x2, message, y2), c3)) {
    message.fill(0);
    throw new Sm2DecryptionError('the ciphertext does not decrypt with this key');
  }
  return message;
}
