/**
 * Authenticated encryption for SM4 keys: SM4-CTR then HMAC-SM3 (encrypt-then-MAC), both from
 * node:crypto. OpenSSL 3.0 in Node 20 has SM4 in ECB/CBC/CFB/OFB/CTR but no SM4-GCM or
 * SM4-CCM (`crypto.getCiphers()`), so the authenticated mode is composed here.
 *
 * Key material (48 bytes, random): SM4 key (16) | HMAC-SM3 key (32).
 * Output: iv (16, random) | tag (32) | ciphertext.
 * tag = HMAC-SM3(mac key, aad || iv || u32be(len(context)) || context || ciphertext), where
 * aad is the blob header (self-delimiting), so every field has one reading.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { random } from 'secgear/enclave';

export const SM4_MATERIAL_LENGTH = 48;
export const SM4_IV_LENGTH = 16;
export const SM4_TAG_LENGTH = 32;

export class Sm4AuthenticationError extends Error {}

function split(material: Uint8Array): { encryptionKey: Uint8Array; macKey: Uint8Array } {
  if (material.length !== SM4_MATERIAL_LENGTH) throw new RangeError('SM4 key material must be 48 bytes');
  return { encryptionKey: material.subarray(0, 16), macKey: material.subarray(16) };
}

function tagOf(macKey: Uint8Array, header: Uint8Array, iv: Uint8Array, context: Uint8Array, ciphertext: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(context.length);
  return createHmac('sm3', macKey).update(header).update(iv).update(length).update(context).update(ciphertext).digest();
}

/** Encrypts and authenticates; `header` and `context` are authenticated, not encrypted. */
export function sm4Seal(material: Uint8Array, header: Uint8Array, context: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = random(SM4_IV_LENGTH)): Uint8Array {
  const { encryptionKey, macKey } = split(material);
  const cipher = createCipheriv('sm4-ctr', encryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, tagOf(macKey, header, iv, context, ciphertext), ciphertext]);
}

/** Checks the tag (constant-time) before decrypting anything. */
export function sm4Open(material: Uint8Array, header: Uint8Array, context: Uint8Array, iv: Uint8Array, tag: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const { encryptionKey, macKey } = split(material);
  if (iv.length !== SM4_IV_LENGTH || tag.length !== SM4_TAG_LENGTH) throw new Sm4AuthenticationError('bad SM4 ciphertext layout');
  if (!timingSafeEqual(tagOf(macKey, header, iv, context, ciphertext), tag)) throw new Sm4AuthenticationError('SM4 ciphertext authentication failed');
  const decipher = createDecipheriv('sm4-ctr', encryptionKey, iv);
  return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}
