/** The mechanisms this token offers, with their CK_MECHANISM_INFO (key sizes and flags). */
import { CKF, CKM } from '../constants.js';

export interface MechanismInfo {
  min: number;
  max: number;
  flags: number;
}

const EC = CKF.EC_F_P | CKF.EC_NAMEDCURVE | CKF.EC_UNCOMPRESS;
const SV = CKF.SIGN | CKF.VERIFY;
const ED = CKF.ENCRYPT | CKF.DECRYPT;

export const MECHANISMS: ReadonlyMap<number, MechanismInfo> = new Map<number, MechanismInfo>([
  [CKM.RSA_PKCS_KEY_PAIR_GEN, { min: 2048, max: 4096, flags: CKF.GENERATE_KEY_PAIR }],
  // PKCS#1 v1.5 decryption is left out on purpose (Bleichenbacher/Marvin); use OAEP
  [CKM.RSA_PKCS, { min: 2048, max: 4096, flags: SV | CKF.ENCRYPT }],
  [CKM.RSA_PKCS_PSS, { min: 2048, max: 4096, flags: SV }],
  [CKM.RSA_PKCS_OAEP, { min: 2048, max: 4096, flags: ED | CKF.WRAP | CKF.UNWRAP }],
  [CKM.SHA1_RSA_PKCS, { min: 2048, max: 4096, flags: SV }],
  [CKM.SHA256_RSA_PKCS, { min: 2048, max: 4096, flags: SV }],
  [CKM.SHA384_RSA_PKCS, { min: 2048, max: 4096, flags: SV }],
  [CKM.SHA512_RSA_PKCS, { min: 2048, max: 4096, flags: SV }],
  [CKM.SHA256_RSA_PKCS_PSS, { min: 2048, max: 4096, flags: SV }],
  [CKM.SHA384_RSA_PKCS_PSS, { min: 2048, max: 4096, flags: SV }],
  [CKM.SHA512_RSA_PKCS_PSS, { min: 2048, max: 4096, flags: SV }],
  [CKM.EC_KEY_PAIR_GEN, { min: 256, max: 521, flags: CKF.GENERATE_KEY_PAIR | EC }],
  [CKM.ECDSA, { min: 256, max: 521, flags: SV | EC }],
  [CKM.ECDSA_SHA1, { min: 256, max: 521, flags: SV | EC }],
  [CKM.ECDSA_SHA256, { min: 256, max: 521, flags: SV | EC }],
  [CKM.ECDSA_SHA384, { min: 256, max: 521, flags: SV | EC }],
  [CKM.ECDSA_SHA512, { min: 256, max: 521, flags: SV | EC }],
  [CKM.ECDH1_DERIVE, { min: 256, max: 521, flags: CKF.DERIVE | EC }],
  [CKM.EC_EDWARDS_KEY_PAIR_GEN, { min: 255, max: 255, flags: CKF.GENERATE_KEY_PAIR }],
  [CKM.EDDSA, { min: 255, max: 255, flags: SV }],
  [CKM.AES_KEY_GEN, { min: 16, max: 32, flags: CKF.GENERATE }],
  [CKM.AES_ECB, { min: 16, max: 32, flags: ED }],
  [CKM.AES_CBC, { min: 16, max: 32, flags: ED }],
  [CKM.AES_CBC_PAD, { min: 16, max: 32, flags: ED }],
  [CKM.AES_GCM, { min: 16, max: 32, flags: ED }],
  [CKM.AES_KEY_WRAP, { min: 16, max: 32, flags: CKF.WRAP | CKF.UNWRAP }],
  [CKM.AES_KEY_WRAP_PAD, { min: 16, max: 32, flags: CKF.WRAP | CKF.UNWRAP }],
  [CKM.SHA_1, { min: 0, max: 0, flags: CKF.DIGEST }],
  [CKM.SHA224, { min: 0, max: 0, flags: CKF.DIGEST }],
  [CKM.SHA256, { min: 0, max: 0, flags: CKF.DIGEST }],
  [CKM.SHA384, { min: 0, max: 0, flags: CKF.DIGEST }],
  [CKM.SHA512, { min: 0, max: 0, flags: CKF.DIGEST }],
  [CKM.GENERIC_SECRET_KEY_GEN, { min: 1, max: 512, flags: CKF.GENERATE }],
  [CKM.SHA_1_HMAC, { min: 1, max: 512, flags: SV }],
  [CKM.SHA256_HMAC, { min: 1, max: 512, flags: SV }],
  [CKM.SHA384_HMAC, { min: 1, max: 512, flags: SV }],
  [CKM.SHA512_HMAC, { min: 1, max: 512, flags: SV }],
]);

export const DIGESTS: ReadonlyMap<number, { name: string; size: number }> = new Map([
  [CKM.SHA_1, { name: 'sha1', size: 20 }],
  [CKM.SHA224, { name: 'sha224', size: 28 }],
  [CKM.SHA256, { name: 'sha256', size: 32 }],
  [CKM.SHA384, { name: 'sha384', size: 48 }],
  [CKM.SHA512, { name: 'sha512', size: 64 }],
]);
