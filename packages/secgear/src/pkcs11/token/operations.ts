/**
 * Cryptographic operations of a session: one object per active operation, with exact output
 * lengths so that a size query (no buffer) or a short buffer never consumes state (PKCS#11
 * §5.2). Multi-part block modes buffer partial blocks themselves and feed node:crypto whole
 * blocks with its padding off, which makes every output length predictable.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, publicEncrypt, privateDecrypt, privateEncrypt, publicDecrypt, sign, verify, constants, timingSafeEqual, type Cipher, type Decipher, type Hash, type Hmac } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { CKA, CKG, CKK, CKM, CKO, CKR, CKZ_DATA_SPECIFIED } from '../constants.js';
import type { Mechanism } from '../rpc/mechanism.js';
import { fail } from './ckr-error.js';
import { ecCurveOf, modulusBits, privateKeyOf, publicKeyOf } from './keys.js';
import { unwrapEcPoint } from './curves.js';
import { DIGESTS } from './mechanisms.js';
import type { TokenObject } from './objects.js';
import { ecdsaSignRaw, rsaPssSignRaw, rsaPssVerifyRaw } from './raw-signatures.js';

const MGF: Record<number, string> = { [CKG.MGF1_SHA1]: 'sha1', [CKG.MGF1_SHA224]: 'sha224', [CKG.MGF1_SHA256]: 'sha256', [CKG.MGF1_SHA384]: 'sha384', [CKG.MGF1_SHA512]: 'sha512' };
const HASH_OF: Record<number, string> = { [CKM.SHA_1]: 'sha1', [CKM.SHA224]: 'sha224', [CKM.SHA256]: 'sha256', [CKM.SHA384]: 'sha384', [CKM.SHA512]: 'sha512' };
const HASH_SIZE: Record<string, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

function requireKey(key: TokenObject, cls: number, keyTypes: number[], usage: number): void {
  if (key.cls !== cls || !keyTypes.includes(key.keyType ?? -1)) fail(CKR.KEY_TYPE_INCONSISTENT, 'this key does not fit the mechanism');
  if (!key.bool(usage)) fail(CKR.KEY_FUNCTION_NOT_PERMITTED, 'the key does not allow this use');
}

function checkAllowed(key: TokenObject, mechanism: number): void {
  const allowed = key.attrs.get(CKA.ALLOWED_MECHANISMS);
  if (Array.isArray(allowed) && allowed.length > 0 && !(allowed as number[]).includes(mechanism)) fail(CKR.MECHANISM_INVALID, 'CKA_ALLOWED_MECHANISMS excludes this mechanism');
}

function noParam(m: Mechanism): void {
  if (m.param !== null && !(m.param.kind === 'bytes' && (m.param.bytes === null || m.param.bytes.byteLength === 0))) fail(CKR.MECHANISM_PARAM_INVALID, 'this mechanism takes no parameter');
}

// ---------------------------------------------------------------- signatures

export interface SignOperation {
  /** Exact signature length (for size queries). */
  readonly length: number;
  readonly multiPart: boolean;
  update(data: Uint8Array): void;
  /** Signs everything given so far (single-part: `data`). */
  sign(data?: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, data?: Uint8Array): boolean;
}

function hashThen(hash: string, signOne: (digestOrData: Uint8Array) => Uint8Array, verifyOne: (d: Uint8Array, s: Uint8Array) => boolean, length: number, prehash: boolean): SignOperation {
  // prehash: the mechanism hashes the data (multi-part allowed); otherwise the input is used as is (single-part only)
  let h: Hash | undefined;
  const chunks: Uint8Array[] = [];
  const input = (data?: Uint8Array) => {
    if (prehash) {
      h ??= createHash(hash);
      if (data) h.update(data);
      return new Uint8Array(h.digest());
    }
    return data ?? Buffer.concat(chunks);
  };
  return {
    length,
    multiPart: prehash,
    update(data) {
      if (prehash) (h ??= createHash(hash)).update(data);
      else chunks.push(data);
    },
    sign: (data) => signOne(input(data)),
    verify: (signature, data) => verifyOne(input(data), signature),
  };
}

export function startSign(m: Mechanism, key: TokenObject, forVerify: boolean): SignOperation {
  checkAllowed(key, m.type);
  const usage = forVerify ? CKA.VERIFY : CKA.SIGN;
  const asym = forVerify ? CKO.PUBLIC_KEY : CKO.PRIVATE_KEY;
  switch (m.type) {
    case CKM.ECDSA:
    case CKM.ECDSA_SHA1:
    case CKM.ECDSA_SHA256:
    case CKM.ECDSA_SHA384:
    case CKM.ECDSA_SHA512: {
      noParam(m);
      requireKey(key, asym, [CKK.EC], usage);
      const curve = ecCurveOf(key.attrs);
      const hash = ({ [CKM.ECDSA_SHA1]: 'sha1', [CKM.ECDSA_SHA256]: 'sha256', [CKM.ECDSA_SHA384]: 'sha384', [CKM.ECDSA_SHA512]: 'sha512' } as Record<number, string>)[m.type] ?? '';
      const noble = curve.name === 'P-256' ? p256 : curve.name === 'P-384' ? p384 : p521;
      const point = () => (forVerify ? unwrapEcPoint(key.attrs.get(CKA.EC_POINT) as Uint8Array, curve)! : undefined);
      const rawSign = (digest: Uint8Array) => ecdsaSignRaw(curve, key.attrs.get(CKA.VALUE) as Uint8Array, digest);
      const rawVerify = (digest: Uint8Array, sig: Uint8Array) => {
        if (sig.byteLength !== 2 * curve.size) fail(CKR.SIGNATURE_LEN_RANGE);
        try {
          return noble.verify(sig, digest, point()!, { prehash: false, lowS: false });
        } catch {
          return false;
        }
      };
      if (hash === '') return hashThen('', rawSign, rawVerify, 2 * curve.size, false);
      if (!forVerify) {
        // hashing mechanisms: node:crypto signs the data directly (faster than our raw path)
        const priv = privateKeyOf(key);
        let h: Hash | undefined;
        return {
          length: 2 * curve.size,
          multiPart: true,
          update: (d) => void (h ??= createHash(hash)).update(d),
          sign: (d) => (h ? rawSign(new Uint8Array(h.update(d ?? new Uint8Array(0)).digest())) : new Uint8Array(sign(hash, d ?? new Uint8Array(0), { key: priv, dsaEncoding: 'ieee-p1363' }))),
          verify: () => false,
        };
      }
      return hashThen(hash, rawSign, rawVerify, 2 * curve.size, true);
    }
    case CKM.EDDSA: {
      if (m.param !== null && !(m.param.kind === 'bytes' && (m.param.bytes === null || m.param.bytes.byteLength === 0))) fail(CKR.MECHANISM_PARAM_INVALID, 'Ed25519ph and contexts are not supported');
      requireKey(key, asym, [CKK.EC_EDWARDS], usage);
      return hashThen('', (d) => new Uint8Array(sign(null, d, privateKeyOf(key))), (d, s) => s.byteLength === 64 ? verify(null, d, publicKeyOf(key), s) : fail(CKR.SIGNATURE_LEN_RANGE), 64, false);
    }
    case CKM.RSA_PKCS:
    case CKM.SHA1_RSA_PKCS:
    case CKM.SHA256_RSA_PKCS:
    case CKM.SHA384_RSA_PKCS:
    case CKM.SHA512_RSA_PKCS: {
      noParam(m);
      requireKey(key, asym, [CKK.RSA], usage);
      const k = Math.ceil(modulusBits(key) / 8);
      const hash = ({ [CKM.SHA1_RSA_PKCS]: 'sha1', [CKM.SHA256_RSA_PKCS]: 'sha256', [CKM.SHA384_RSA_PKCS]: 'sha384', [CKM.SHA512_RSA_PKCS]: 'sha512' } as Record<number, string>)[m.type];
      if (!hash) {
        return hashThen('', (d) => {
          if (d.byteLength > k - 11) fail(CKR.DATA_LEN_RANGE);
          return new Uint8Array(privateEncrypt({ key: privateKeyOf(key), padding: constants.RSA_PKCS1_PADDING }, d));
        }, (d, s) => {
          if (s.byteLength !== k) fail(CKR.SIGNATURE_LEN_RANGE);
          try {
            const recovered = publicDecrypt({ key: publicKeyOf(key), padding: constants.RSA_PKCS1_PADDING }, s);
            return recovered.byteLength === d.byteLength && timingSafeEqual(recovered, d);
          } catch {
            return false;
          }
        }, k, false);
      }
      let buffered: Uint8Array[] = [];
      return {
        length: k,
        multiPart: true,
        update: (d) => void buffered.push(d),
        sign: (d) => new Uint8Array(sign(hash, Buffer.concat([...buffered, d ?? new Uint8Array(0)]), privateKeyOf(key))),
        verify: (s, d) => {
          if (s.byteLength !== k) fail(CKR.SIGNATURE_LEN_RANGE);
          const ok = verify(hash, Buffer.concat([...buffered, d ?? new Uint8Array(0)]), publicKeyOf(key), s);
          buffered = [];
          return ok;
        },
      };
    }
    case CKM.RSA_PKCS_PSS:
    case CKM.SHA256_RSA_PKCS_PSS:
    case CKM.SHA384_RSA_PKCS_PSS:
    case CKM.SHA512_RSA_PKCS_PSS: {
      requireKey(key, asym, [CKK.RSA], usage);
      if (m.param?.kind !== 'pss') fail(CKR.MECHANISM_PARAM_INVALID, 'PSS needs CK_RSA_PKCS_PSS_PARAMS');
      const hash = HASH_OF[m.param.hashAlg];
      const mgf = MGF[m.param.mgf];
      if (!hash || !mgf) fail(CKR.MECHANISM_PARAM_INVALID, 'unsupported PSS hash or MGF');
      const fixed = ({ [CKM.SHA256_RSA_PKCS_PSS]: 'sha256', [CKM.SHA384_RSA_PKCS_PSS]: 'sha384', [CKM.SHA512_RSA_PKCS_PSS]: 'sha512' } as Record<number, string>)[m.type];
      if (fixed && fixed !== hash) fail(CKR.MECHANISM_PARAM_INVALID, 'the PSS hash must match the mechanism');
      const bits = modulusBits(key);
      const sLen = m.param.sLen;
      if (sLen > Math.ceil((bits - 1) / 8) - HASH_SIZE[hash] - 2) fail(CKR.MECHANISM_PARAM_INVALID, 'salt too long for this modulus');
      const signDigest = (digest: Uint8Array) => {
        if (digest.byteLength !== HASH_SIZE[hash]) fail(CKR.DATA_LEN_RANGE, 'PSS input must be one hash long');
        return rsaPssSignRaw(privateKeyOf(key), bits, hash, mgf, sLen, digest);
      };
      const verifyDigest = (digest: Uint8Array, s: Uint8Array) => {
        if (s.byteLength !== Math.ceil(bits / 8)) fail(CKR.SIGNATURE_LEN_RANGE);
        if (digest.byteLength !== HASH_SIZE[hash]) fail(CKR.DATA_LEN_RANGE);
        return rsaPssVerifyRaw(publicKeyOf(key), bits, hash, mgf, sLen, digest, s);
      };
      return hashThen(fixed ?? '', signDigest, verifyDigest, Math.ceil(bits / 8), fixed !== undefined);
    }
    case CKM.SHA_1_HMAC:
    case CKM.SHA256_HMAC:
    case CKM.SHA384_HMAC:
    case CKM.SHA512_HMAC: {
      noParam(m);
      requireKey(key, CKO.SECRET_KEY, [CKK.GENERIC_SECRET, CKK.AES], usage);
      const hash = { [CKM.SHA_1_HMAC]: 'sha1', [CKM.SHA256_HMAC]: 'sha256', [CKM.SHA384_HMAC]: 'sha384', [CKM.SHA512_HMAC]: 'sha512' }[m.type]!;
      let mac: Hmac | undefined;
      const value = key.attrs.get(CKA.VALUE) as Uint8Array;
      const run = (d?: Uint8Array) => {
        mac ??= createHmac(hash, value);
        if (d) mac.update(d);
        return new Uint8Array(mac.digest());
      };
      return {
        length: HASH_SIZE[hash],
        multiPart: true,
        update: (d) => void (mac ??= createHmac(hash, value)).update(d),
        sign: run,
        verify: (s, d) => {
          if (s.byteLength !== HASH_SIZE[hash]) fail(CKR.SIGNATURE_LEN_RANGE);
          return timingSafeEqual(run(d), s);
        },
      };
    }
    default:
      fail(CKR.MECHANISM_INVALID);
  }
}

// ---------------------------------------------------------------- digests

export interface DigestOperation {
  readonly length: number;
  update(data: Uint8Array): void;
  final(data?: Uint8Array): Uint8Array;
}

export function startDigest(m: Mechanism): DigestOperation {
  const d = DIGESTS.get(m.type);
  if (!d) fail(CKR.MECHANISM_INVALID);
  noParam(m);
  const h = createHash(d.name);
  return { length: d.size, update: (x) => void h.update(x), final: (x) => new Uint8Array((x ? h.update(x) : h).digest()) };
}

// ---------------------------------------------------------------- encryption

export interface CipherOperation {
  /** Exact output of `update(n more bytes)`. */
  updateLength(n: number): number;
  /** Exact output of `final()`, or an upper bound where only decryption can tell (CBC_PAD, OAEP). */
  finalLength(): number;
  /** Output length of a single-part call on n bytes (upper bound for padded decryption). */
  oneShotLength(n: number): number;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  oneShot(data: Uint8Array): Uint8Array;
}

function aesName(key: Uint8Array, mode: string): string {
  return `aes-${key.byteLength * 8}-${mode}`;
}

/** ECB / CBC / CBC_PAD with our own block buffering (node's padding is off; PKCS#7 is ours). */
function blockMode(key: Uint8Array, mode: 'ecb' | 'cbc', iv: Uint8Array | null, pad: boolean, encrypt: boolean): CipherOperation {
  let pending = new Uint8Array(0);
  const make = () => {
    const c = encrypt ? createCipheriv(aesName(key, mode), key, iv) : createDecipheriv(aesName(key, mode), key, iv);
    c.setAutoPadding(false);
    return c;
  };
  const c: Cipher | Decipher = make();
  // how many buffered bytes may be processed now: whole blocks, keeping the last one back when decrypting with padding
  const feedable = (total: number) => {
    const whole = Math.floor(total / 16) * 16;
    return !encrypt && pad && whole === total && whole > 0 ? whole - 16 : whole;
  };
  const unpad = (block: Uint8Array) => {
    const n = block[block.byteLength - 1];
    if (n < 1 || n > 16 || block.byteLength < n) fail(CKR.ENCRYPTED_DATA_INVALID, 'bad padding');
    for (let i = block.byteLength - n; i < block.byteLength; i++) if (block[i] !== n) fail(CKR.ENCRYPTED_DATA_INVALID, 'bad padding');
    return block.subarray(0, block.byteLength - n);
  };
  const padBlock = (rest: Uint8Array) => {
    const n = 16 - rest.byteLength;
    const out = new Uint8Array(16).fill(n);
    out.set(rest);
    return out;
  };
  return {
    updateLength: (n) => feedable(pending.byteLength + n),
    finalLength: () => (encrypt ? (pad ? 16 : 0) : pending.byteLength),
    oneShotLength: (n) => (encrypt && pad ? (Math.floor(n / 16) + 1) * 16 : n),
    update(data) {
      const all = new Uint8Array(pending.byteLength + data.byteLength);
      all.set(pending);
      all.set(data, pending.byteLength);
      const n = feedable(all.byteLength);
      pending = all.slice(n);
      return n ? new Uint8Array(c.update(all.subarray(0, n))) : new Uint8Array(0);
    },
    final() {
      if (encrypt) {
        if (!pad && pending.byteLength) fail(CKR.DATA_LEN_RANGE, 'data is not a whole number of blocks');
        const out = pad ? new Uint8Array(c.update(padBlock(pending))) : new Uint8Array(0);
        pending = new Uint8Array(0);
        return out;
      }
      if (pending.byteLength % 16 !== 0 || (pad && pending.byteLength === 0)) fail(CKR.ENCRYPTED_DATA_LEN_RANGE, 'ciphertext is not a whole number of blocks');
      const out = pending.byteLength ? new Uint8Array(c.update(pending)) : new Uint8Array(0);
      pending = new Uint8Array(0);
      return pad ? unpad(out).slice() : out;
    },
    oneShot(data) {
      if (encrypt && !pad && data.byteLength % 16) fail(CKR.DATA_LEN_RANGE, 'data is not a whole number of blocks');
      if (!encrypt && (data.byteLength % 16 || (pad && data.byteLength === 0))) fail(CKR.ENCRYPTED_DATA_LEN_RANGE, 'ciphertext is not a whole number of blocks');
      const one = encrypt ? createCipheriv(aesName(key, mode), key, iv) : createDecipheriv(aesName(key, mode), key, iv);
      one.setAutoPadding(pad);
      try {
        return new Uint8Array(Buffer.concat([one.update(data), one.final()]));
      } catch {
        fail(CKR.ENCRYPTED_DATA_INVALID, 'bad padding');
      }
    },
  };
}

function gcm(key: Uint8Array, m: Mechanism, encrypt: boolean): CipherOperation {
  const p = m.param;
  if (p?.kind !== 'gcm' || !p.iv || p.iv.byteLength === 0 || p.iv.byteLength > 256) fail(CKR.MECHANISM_PARAM_INVALID, 'AES-GCM needs CK_GCM_PARAMS with an IV');
  const tagBytes = p.tagBits / 8;
  if (!Number.isInteger(tagBytes) || tagBytes < 12 || tagBytes > 16) fail(CKR.MECHANISM_PARAM_INVALID, 'the GCM tag must be 96 to 128 bits');
  const aad = p.aad ?? new Uint8Array(0);
  const iv = p.iv;
  const make = () => {
    const c = encrypt ? createCipheriv(aesName(key, 'gcm') as 'aes-256-gcm', key, iv, { authTagLength: tagBytes }) : createDecipheriv(aesName(key, 'gcm') as 'aes-256-gcm', key, iv, { authTagLength: tagBytes });
    c.setAAD(aad);
    return c;
  };
  let stream: ReturnType<typeof make> | undefined;
  let held: Uint8Array[] = [];
  let heldLength = 0;
  const decryptAll = (all: Uint8Array) => {
    if (all.byteLength < tagBytes) fail(CKR.ENCRYPTED_DATA_LEN_RANGE);
    const d = make() as Decipher & { setAuthTag(tag: Uint8Array): void };
    d.setAuthTag(all.subarray(all.byteLength - tagBytes));
    const out = d.update(all.subarray(0, all.byteLength - tagBytes));
    try {
      return new Uint8Array(Buffer.concat([out, d.final()]));
    } catch {
      fail(CKR.ENCRYPTED_DATA_INVALID, 'the GCM tag does not verify');
    }
  };
  return {
    // decryption releases nothing before the tag is checked
    updateLength: (n) => (encrypt ? n : 0),
    finalLength: () => (encrypt ? tagBytes : Math.max(0, heldLength - tagBytes)),
    oneShotLength: (n) => (encrypt ? n + tagBytes : Math.max(0, n - tagBytes)),
    update(data) {
      if (encrypt) return new Uint8Array((stream ??= make()).update(data));
      held.push(data);
      heldLength += data.byteLength;
      return new Uint8Array(0);
    },
    final() {
      if (encrypt) {
        const c = (stream ??= make()) as Cipher & { getAuthTag(): Buffer };
        const last = c.final();
        return new Uint8Array(Buffer.concat([last, c.getAuthTag()]));
      }
      const all = Buffer.concat(held);
      held = [];
      heldLength = 0;
      return decryptAll(all);
    },
    oneShot(data) {
      if (!encrypt) return decryptAll(data);
      const c = make() as Cipher & { getAuthTag(): Buffer };
      return new Uint8Array(Buffer.concat([c.update(data), c.final(), c.getAuthTag()]));
    },
  };
}

function rsa(key: TokenObject, m: Mechanism, encrypt: boolean): CipherOperation {
  const k = Math.ceil(modulusBits(key) / 8);
  let options: { padding: number; oaepHash?: string; oaepLabel?: Buffer };
  if (m.type === CKM.RSA_PKCS) {
    if (!encrypt) fail(CKR.MECHANISM_INVALID, 'PKCS#1 v1.5 decryption is not offered; use CKM_RSA_PKCS_OAEP');
    options = { padding: constants.RSA_PKCS1_PADDING };
  } else {
    const p = m.param;
    if (p?.kind !== 'oaep') fail(CKR.MECHANISM_PARAM_INVALID, 'OAEP needs CK_RSA_PKCS_OAEP_PARAMS');
    const hash = HASH_OF[p.hashAlg];
    if (!hash || MGF[p.mgf] !== hash) fail(CKR.MECHANISM_PARAM_INVALID, 'the OAEP hash and MGF1 hash must be one supported hash');
    if (p.source !== 0 && p.source !== CKZ_DATA_SPECIFIED) fail(CKR.MECHANISM_PARAM_INVALID);
    options = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: p.sourceData?.byteLength ? Buffer.from(p.sourceData) : undefined };
  }
  const run = (data: Uint8Array) => {
    try {
      return new Uint8Array(encrypt ? publicEncrypt({ key: publicKeyOf(key), ...options }, data) : privateDecrypt({ key: privateKeyOf(key), ...options }, data));
    } catch {
      fail(encrypt ? CKR.DATA_LEN_RANGE : CKR.ENCRYPTED_DATA_INVALID);
    }
  };
  return {
    updateLength: () => fail(CKR.FUNCTION_NOT_SUPPORTED, 'RSA encryption is single-part'),
    finalLength: () => 0,
    oneShotLength: () => k,
    update: () => fail(CKR.FUNCTION_NOT_SUPPORTED, 'RSA encryption is single-part'),
    final: () => new Uint8Array(0),
    oneShot(data) {
      if (!encrypt && data.byteLength !== k) fail(CKR.ENCRYPTED_DATA_LEN_RANGE);
      return run(data);
    },
  };
}

export function startCipher(m: Mechanism, key: TokenObject, encrypt: boolean): CipherOperation {
  checkAllowed(key, m.type);
  const usage = encrypt ? CKA.ENCRYPT : CKA.DECRYPT;
  switch (m.type) {
    case CKM.AES_ECB:
    case CKM.AES_CBC:
    case CKM.AES_CBC_PAD:
    case CKM.AES_GCM: {
      requireKey(key, CKO.SECRET_KEY, [CKK.AES], usage);
      const value = key.attrs.get(CKA.VALUE) as Uint8Array;
      if (m.type === CKM.AES_GCM) return gcm(value, m, encrypt);
      if (m.type === CKM.AES_ECB) {
        noParam(m);
        return blockMode(value, 'ecb', null, false, encrypt);
      }
      if (m.param?.kind !== 'iv') fail(CKR.MECHANISM_PARAM_INVALID, 'AES-CBC needs a 16-byte IV');
      return blockMode(value, 'cbc', m.param.iv, m.type === CKM.AES_CBC_PAD, encrypt);
    }
    case CKM.RSA_PKCS:
    case CKM.RSA_PKCS_OAEP:
      requireKey(key, encrypt ? CKO.PUBLIC_KEY : CKO.PRIVATE_KEY, [CKK.RSA], usage);
      return rsa(key, m, encrypt);
    default:
      fail(CKR.MECHANISM_INVALID);
  }
}

/** RFC 3394 / RFC 5649 key wrap with node's id-aesNNN-wrap ciphers. */
export function aesKeyWrap(m: Mechanism, kek: Uint8Array, data: Uint8Array, wrap: boolean): Uint8Array {
  const pad = m.type === CKM.AES_KEY_WRAP_PAD;
  if (m.param !== null && !(m.param.kind === 'bytes' && (m.param.bytes === null || m.param.bytes.byteLength === 0))) fail(CKR.MECHANISM_PARAM_INVALID, 'only the default IV is supported');
  if (!pad && (data.byteLength % 8 !== 0 || data.byteLength < (wrap ? 16 : 24))) fail(wrap ? CKR.KEY_SIZE_RANGE : CKR.WRAPPED_KEY_LEN_RANGE);
  const name = `id-aes${kek.byteLength * 8}-wrap${pad ? '-pad' : ''}`;
  const iv = Buffer.from(pad ? 'a65959a6' : 'a6a6a6a6a6a6a6a6', 'hex');
  try {
    const c = wrap ? createCipheriv(name, kek, iv) : createDecipheriv(name, kek, iv);
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  } catch {
    fail(wrap ? CKR.FUNCTION_FAILED : CKR.WRAPPED_KEY_INVALID);
  }
}
