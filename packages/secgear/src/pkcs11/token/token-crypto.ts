/**
 * The token's cryptographic calls: object creation and copying, encryption, decryption,
 * digests, signatures, random, wrapping and derivation. Size queries (no output buffer) and
 * short buffers answer a length and leave the operation as it was (PKCS#11 §5.2).
 */
import { createECDH } from 'node:crypto';
import { random } from '../../enclave/api.js';
import { CKA, CKD_NULL, CKK, CKM, CKO, CKR } from '../constants.js';
import type { Attribute, AttributeValue } from '../rpc/attributes.js';
import type { Mechanism } from '../rpc/mechanism.js';
import type { LengthOnly, OutBuffer } from '../rpc/message.js';
import { fail } from './ckr-error.js';
import { unwrapEcPoint } from './curves.js';
import { attributesFromPkcs8, ecCurveOf, privateKeyPkcs8, publicPointOfPrivate, type AttrMap } from './keys.js';
import { allowedAttributes, type TokenObject } from './objects.js';
import { aesKeyWrap, startCipher, startDigest, startSign } from './operations.js';
import { privateDefaults, publicDefaults, secretDefaults, type Session, type Token } from './token.js';

export type Output = Uint8Array | LengthOnly;

/** Fits `length` bytes into the caller's buffer: the bytes, or the length alone (no buffer / too small). */
function fits(buffer: OutBuffer, length: number): boolean {
  return buffer.present && buffer.capacity >= length;
}

// ---------------------------------------------------------------- objects

export async function createObject(token: Token, conn: number, sh: number, template: readonly Attribute[]): Promise<number> {
  const s = token.session(conn, sh);
  const t = new Map(template.map((a) => [a.type, a.value]));
  const cls = t.get(CKA.CLASS);
  const keyType = t.get(CKA.KEY_TYPE) as number | undefined;
  let defaults: AttrMap;
  const decided: AttrMap = new Map<number, AttributeValue>();
  switch (cls) {
    case CKO.DATA:
      defaults = new Map<number, AttributeValue>([[CKA.TOKEN, false], [CKA.PRIVATE, false], [CKA.MODIFIABLE, true], [CKA.COPYABLE, true], [CKA.LABEL, new Uint8Array(0)], [CKA.APPLICATION, new Uint8Array(0)], [CKA.OBJECT_ID, new Uint8Array(0)], [CKA.VALUE, new Uint8Array(0)]]);
      break;
    case CKO.CERTIFICATE:
      if (t.get(CKA.CERTIFICATE_TYPE) !== 0) fail(t.has(CKA.CERTIFICATE_TYPE) ? CKR.ATTRIBUTE_VALUE_INVALID : CKR.TEMPLATE_INCOMPLETE, 'only X.509 certificates');
      if (!(t.get(CKA.VALUE) instanceof Uint8Array) || !(t.get(CKA.SUBJECT) instanceof Uint8Array)) fail(CKR.TEMPLATE_INCOMPLETE, 'an X.509 certificate needs CKA_VALUE and CKA_SUBJECT');
      defaults = new Map<number, AttributeValue>([[CKA.TOKEN, false], [CKA.PRIVATE, false], [CKA.MODIFIABLE, true], [CKA.COPYABLE, true], [CKA.LABEL, new Uint8Array(0)], [CKA.ID, new Uint8Array(0)], [CKA.ISSUER, new Uint8Array(0)], [CKA.SERIAL_NUMBER, new Uint8Array(0)], [CKA.TRUSTED, false], [CKA.CERTIFICATE_CATEGORY, 0]]);
      break;
    case CKO.SECRET_KEY: {
      if (keyType !== CKK.AES && keyType !== CKK.GENERIC_SECRET) fail(keyType === undefined ? CKR.TEMPLATE_INCOMPLETE : CKR.ATTRIBUTE_VALUE_INVALID, 'secret keys are AES or generic');
      const value = t.get(CKA.VALUE);
      if (!(value instanceof Uint8Array)) fail(CKR.TEMPLATE_INCOMPLETE, 'CKA_VALUE is missing');
      if (keyType === CKK.AES && ![16, 24, 32].includes(value.byteLength)) fail(CKR.ATTRIBUTE_VALUE_INVALID, 'AES keys are 16, 24 or 32 bytes');
      if (t.has(CKA.VALUE_LEN)) fail(CKR.TEMPLATE_INCONSISTENT);
      defaults = secretDefaults(keyType);
      decided.set(CKA.VALUE_LEN, value.byteLength).set(CKA.LOCAL, false);
      decided.set(CKA.ALWAYS_SENSITIVE, false).set(CKA.NEVER_EXTRACTABLE, false);
      break;
    }
    case CKO.PUBLIC_KEY:
    case CKO.PRIVATE_KEY: {
      if (keyType !== CKK.EC && keyType !== CKK.RSA && keyType !== CKK.EC_EDWARDS) fail(keyType === undefined ? CKR.TEMPLATE_INCOMPLETE : CKR.ATTRIBUTE_VALUE_INVALID);
      const needs = keyType === CKK.RSA
        ? cls === CKO.PUBLIC_KEY ? [CKA.MODULUS, CKA.PUBLIC_EXPONENT] : [CKA.MODULUS, CKA.PUBLIC_EXPONENT, CKA.PRIVATE_EXPONENT, CKA.PRIME_1, CKA.PRIME_2, CKA.EXPONENT_1, CKA.EXPONENT_2, CKA.COEFFICIENT]
        : cls === CKO.PUBLIC_KEY ? [CKA.EC_PARAMS, CKA.EC_POINT] : [CKA.EC_PARAMS, CKA.VALUE];
      for (const n of needs) if (!(t.get(n) instanceof Uint8Array)) fail(CKR.TEMPLATE_INCOMPLETE, `attribute 0x${n.toString(16)} is missing`);
      if (keyType !== CKK.RSA) {
        const curve = ecCurveOf(t);
        if ((curve.name === 'Ed25519') !== (keyType === CKK.EC_EDWARDS)) fail(CKR.CURVE_NOT_SUPPORTED);
        if (cls === CKO.PUBLIC_KEY && !unwrapEcPoint(t.get(CKA.EC_POINT) as Uint8Array, curve)) fail(CKR.ATTRIBUTE_VALUE_INVALID, 'CKA_EC_POINT is not a point of this curve');
      }
      if (t.has(CKA.MODULUS_BITS) && cls === CKO.PUBLIC_KEY) fail(CKR.ATTRIBUTE_READ_ONLY);
      defaults = cls === CKO.PUBLIC_KEY ? publicDefaults() : privateDefaults();
      defaults.set(CKA.KEY_TYPE, keyType);
      decided.set(CKA.LOCAL, false);
      if (cls === CKO.PRIVATE_KEY) decided.set(CKA.ALWAYS_SENSITIVE, false).set(CKA.NEVER_EXTRACTABLE, false);
      if (keyType === CKK.RSA && cls === CKO.PUBLIC_KEY) {
        const n = t.get(CKA.MODULUS) as Uint8Array;
        let bits = n.byteLength * 8;
        for (let b = n[0]; b < 0x80 && bits > 0; b <<= 1) bits--;
        decided.set(CKA.MODULUS_BITS, bits);
      }
      break;
    }
    default:
      fail(cls === undefined ? CKR.TEMPLATE_INCOMPLETE : CKR.ATTRIBUTE_VALUE_INVALID, 'unsupported CKA_CLASS');
  }
  const handle = await token.addObject(s, template, new Map(), defaults, decided);
  // a private key checks out only if node:crypto accepts its material
  const obj = token.objects.get(handle)!;
  if (obj.cls === CKO.PRIVATE_KEY || obj.cls === CKO.PUBLIC_KEY) {
    try {
      if (obj.cls === CKO.PRIVATE_KEY) {
        if (obj.keyType !== CKK.RSA) publicPointOfPrivate(obj, ecCurveOf(obj.attrs));
        privateKeyPkcs8(obj);
      }
    } catch (error) {
      await token.destroyObject(conn, sh, handle).catch(() => undefined);
      throw error;
    }
  }
  return handle;
}

export async function copyObject(token: Token, conn: number, sh: number, oh: number, template: readonly Attribute[]): Promise<number> {
  const s = token.session(conn, sh);
  const o = token.object(s, oh);
  if (o.attrs.get(CKA.COPYABLE) === false) fail(CKR.ACTION_PROHIBITED);
  const changeable = new Set<number>([CKA.TOKEN, CKA.PRIVATE, CKA.MODIFIABLE, CKA.DESTROYABLE, CKA.LABEL, CKA.ID, CKA.SENSITIVE, CKA.EXTRACTABLE]);
  for (const a of template) {
    if (!changeable.has(a.type)) fail(CKR.ATTRIBUTE_READ_ONLY);
    if (a.type === CKA.SENSITIVE && o.bool(CKA.SENSITIVE) && a.value !== true) fail(CKR.ATTRIBUTE_READ_ONLY);
    if (a.type === CKA.EXTRACTABLE && !o.bool(CKA.EXTRACTABLE) && a.value !== false) fail(CKR.ATTRIBUTE_READ_ONLY);
  }
  const base = new Map(o.attrs);
  const decided = new Map<number, AttributeValue>();
  for (const t of [CKA.LOCAL, CKA.KEY_GEN_MECHANISM, CKA.ALWAYS_SENSITIVE, CKA.NEVER_EXTRACTABLE]) {
    const v = base.get(t);
    if (v !== undefined) decided.set(t, v);
    base.delete(t);
  }
  return token.addObject(s, template, new Map(), base, decided);
}

// ---------------------------------------------------------------- encryption and decryption

function keyFor(token: Token, s: Session, handle: number): TokenObject {
  return token.object(s, handle, CKR.KEY_HANDLE_INVALID);
}

export function cipherInit(token: Token, conn: number, sh: number, m: Mechanism | null, kh: number, encrypt: boolean): void {
  const s = token.session(conn, sh);
  const slot = encrypt ? 'encrypt' : 'decrypt';
  if (m === null) {
    s[slot] = undefined;
    return;
  }
  if (s[slot]) fail(CKR.OPERATION_ACTIVE);
  s[slot] = startCipher(m, keyFor(token, s, kh), encrypt);
}

export function cipherOneShot(token: Token, conn: number, sh: number, data: Uint8Array | null, out: OutBuffer, encrypt: boolean): Output {
  const s = token.session(conn, sh);
  const slot = encrypt ? 'encrypt' : 'decrypt';
  const op = s[slot];
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!data) fail(CKR.ARGUMENTS_BAD);
  if (!out.present) return { lengthOnly: op.oneShotLength(data.byteLength) };
  let result: Uint8Array;
  try {
    result = op.oneShot(data);
  } catch (error) {
    s[slot] = undefined;
    throw error;
  }
  if (!fits(out, result.byteLength)) return { lengthOnly: result.byteLength };
  s[slot] = undefined;
  return result;
}

export function cipherUpdate(token: Token, conn: number, sh: number, data: Uint8Array | null, out: OutBuffer, encrypt: boolean): Output {
  const s = token.session(conn, sh);
  const slot = encrypt ? 'encrypt' : 'decrypt';
  const op = s[slot];
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!data) fail(CKR.ARGUMENTS_BAD);
  const length = op.updateLength(data.byteLength);
  if (!fits(out, length)) return { lengthOnly: length };
  try {
    return op.update(data);
  } catch (error) {
    s[slot] = undefined;
    throw error;
  }
}

export function cipherFinal(token: Token, conn: number, sh: number, out: OutBuffer, encrypt: boolean): Output {
  const s = token.session(conn, sh);
  const slot = encrypt ? 'encrypt' : 'decrypt';
  const op = s[slot];
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  const length = op.finalLength();
  if (!fits(out, length)) return { lengthOnly: length };
  s[slot] = undefined;
  return op.final();
}

// ---------------------------------------------------------------- digests

export function digestInit(token: Token, conn: number, sh: number, m: Mechanism | null): void {
  const s = token.session(conn, sh);
  if (m === null) {
    s.digest = undefined;
    return;
  }
  if (s.digest) fail(CKR.OPERATION_ACTIVE);
  s.digest = startDigest(m);
}

export function digest(token: Token, conn: number, sh: number, data: Uint8Array | null, out: OutBuffer, final: boolean): Output {
  const s = token.session(conn, sh);
  const op = s.digest;
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!final && !data) fail(CKR.ARGUMENTS_BAD);
  if (!fits(out, op.length)) return { lengthOnly: op.length };
  s.digest = undefined;
  return op.final(data ?? undefined);
}

export function digestUpdate(token: Token, conn: number, sh: number, data: Uint8Array | null): void {
  const s = token.session(conn, sh);
  if (!s.digest) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!data) fail(CKR.ARGUMENTS_BAD);
  s.digest.update(data);
}

export function digestKey(token: Token, conn: number, sh: number, kh: number): void {
  const s = token.session(conn, sh);
  if (!s.digest) fail(CKR.OPERATION_NOT_INITIALIZED);
  const key = keyFor(token, s, kh);
  if (key.cls !== CKO.SECRET_KEY) fail(CKR.KEY_INDIGESTIBLE);
  s.digest.update(key.attrs.get(CKA.VALUE) as Uint8Array);
}

// ---------------------------------------------------------------- signatures

export function signInit(token: Token, conn: number, sh: number, m: Mechanism | null, kh: number, forVerify: boolean): void {
  const s = token.session(conn, sh);
  const slot = forVerify ? 'verify' : 'sign';
  if (m === null) {
    s[slot] = undefined;
    return;
  }
  if (s[slot]) fail(CKR.OPERATION_ACTIVE);
  const key = keyFor(token, s, kh);
  if (!forVerify && key.cls === CKO.PRIVATE_KEY && token.app(conn).login !== 'user') fail(CKR.USER_NOT_LOGGED_IN);
  s[slot] = startSign(m, key, forVerify);
}

export function sign(token: Token, conn: number, sh: number, data: Uint8Array | null, out: OutBuffer, final: boolean): Output {
  const s = token.session(conn, sh);
  const op = s.sign;
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!final && !data) fail(CKR.ARGUMENTS_BAD);
  if (final && !op.multiPart) fail(CKR.FUNCTION_NOT_SUPPORTED);
  if (!fits(out, op.length)) return { lengthOnly: op.length };
  s.sign = undefined;
  return op.sign(final ? undefined : data!);
}

export function signUpdate(token: Token, conn: number, sh: number, data: Uint8Array | null, forVerify: boolean): void {
  const s = token.session(conn, sh);
  const slot = forVerify ? 'verify' : 'sign';
  const op = s[slot];
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!data) fail(CKR.ARGUMENTS_BAD);
  if (!op.multiPart) {
    s[slot] = undefined;
    fail(CKR.FUNCTION_NOT_SUPPORTED, 'this mechanism is single-part only');
  }
  op.update(data);
}

export function verifyCall(token: Token, conn: number, sh: number, data: Uint8Array | null, signature: Uint8Array | null, final: boolean): void {
  const s = token.session(conn, sh);
  const op = s.verify;
  if (!op) fail(CKR.OPERATION_NOT_INITIALIZED);
  if (!signature || (!final && !data)) fail(CKR.ARGUMENTS_BAD);
  s.verify = undefined;
  if (!op.verify(signature, final ? undefined : data!)) fail(CKR.SIGNATURE_INVALID);
}

// ---------------------------------------------------------------- random

export function generateRandom(token: Token, conn: number, sh: number, out: OutBuffer): Uint8Array {
  token.session(conn, sh);
  if (out.capacity > 1 << 20) fail(CKR.ARGUMENTS_BAD, 'at most 1 MiB per call');
  return random(out.capacity);
}

// ---------------------------------------------------------------- wrapping and derivation

export function wrapKey(token: Token, conn: number, sh: number, m: Mechanism, wrappingHandle: number, keyHandle: number, out: OutBuffer): Output {
  const s = token.session(conn, sh);
  const wrapping = token.object(s, wrappingHandle, CKR.WRAPPING_KEY_HANDLE_INVALID);
  const key = token.object(s, keyHandle, CKR.KEY_HANDLE_INVALID);
  if (!wrapping.bool(CKA.WRAP)) fail(CKR.KEY_FUNCTION_NOT_PERMITTED);
  if (!key.bool(CKA.EXTRACTABLE)) fail(CKR.KEY_UNEXTRACTABLE);
  if (key.bool(CKA.WRAP_WITH_TRUSTED) && !wrapping.bool(CKA.TRUSTED)) fail(CKR.KEY_NOT_WRAPPABLE);
  let plain: Uint8Array;
  if (key.cls === CKO.SECRET_KEY) plain = key.attrs.get(CKA.VALUE) as Uint8Array;
  else if (key.cls === CKO.PRIVATE_KEY) plain = privateKeyPkcs8(key);
  else fail(CKR.KEY_NOT_WRAPPABLE);
  let wrapped: Uint8Array;
  if (m.type === CKM.AES_KEY_WRAP || m.type === CKM.AES_KEY_WRAP_PAD) {
    if (wrapping.cls !== CKO.SECRET_KEY || wrapping.keyType !== CKK.AES) fail(CKR.WRAPPING_KEY_TYPE_INCONSISTENT);
    wrapped = aesKeyWrap(m, wrapping.attrs.get(CKA.VALUE) as Uint8Array, plain, true);
  } else if (m.type === CKM.RSA_PKCS_OAEP || m.type === CKM.AES_GCM || m.type === CKM.AES_CBC_PAD) {
    if (!wrapping.bool(CKA.ENCRYPT) && m.type !== CKM.RSA_PKCS_OAEP) fail(CKR.KEY_FUNCTION_NOT_PERMITTED);
    const op = startCipher(m, wrapping.cls === CKO.SECRET_KEY ? withUsage(wrapping, CKA.ENCRYPT) : withUsage(wrapping, CKA.ENCRYPT), true);
    wrapped = op.oneShot(plain);
  } else fail(CKR.MECHANISM_INVALID);
  if (!fits(out, wrapped.byteLength)) return { lengthOnly: wrapped.byteLength };
  return wrapped;
}

/** The same object seen with one usage flag forced on (wrapping reuses the cipher code; CKA_WRAP was checked). */
function withUsage(obj: TokenObject, usage: number): TokenObject {
  const copy = Object.create(obj) as TokenObject;
  const attrs = new Map(obj.attrs);
  attrs.set(usage, true);
  Object.defineProperty(copy, 'attrs', { value: attrs });
  return copy;
}

export async function unwrapKey(token: Token, conn: number, sh: number, m: Mechanism, unwrappingHandle: number, wrapped: Uint8Array | null, template: readonly Attribute[]): Promise<number> {
  const s = token.session(conn, sh);
  const unwrapping = token.object(s, unwrappingHandle, CKR.UNWRAPPING_KEY_HANDLE_INVALID);
  if (!wrapped) fail(CKR.ARGUMENTS_BAD);
  if (!unwrapping.bool(CKA.UNWRAP)) fail(CKR.KEY_FUNCTION_NOT_PERMITTED);
  if (unwrapping.cls === CKO.PRIVATE_KEY && token.app(conn).login !== 'user') fail(CKR.USER_NOT_LOGGED_IN);
  let plain: Uint8Array;
  if (m.type === CKM.AES_KEY_WRAP || m.type === CKM.AES_KEY_WRAP_PAD) {
    if (unwrapping.cls !== CKO.SECRET_KEY || unwrapping.keyType !== CKK.AES) fail(CKR.UNWRAPPING_KEY_TYPE_INCONSISTENT);
    plain = aesKeyWrap(m, unwrapping.attrs.get(CKA.VALUE) as Uint8Array, wrapped, false);
  } else if (m.type === CKM.RSA_PKCS_OAEP || m.type === CKM.AES_GCM || m.type === CKM.AES_CBC_PAD) {
    try {
      plain = startCipher(m, withUsage(unwrapping, CKA.DECRYPT), false).oneShot(wrapped);
    } catch (error) {
      if ((error as { rv?: number }).rv === CKR.ENCRYPTED_DATA_INVALID || (error as { rv?: number }).rv === CKR.ENCRYPTED_DATA_LEN_RANGE) fail(CKR.WRAPPED_KEY_INVALID);
      throw error;
    }
  } else fail(CKR.MECHANISM_INVALID);
  const t = new Map(template.map((a) => [a.type, a.value]));
  const cls = t.get(CKA.CLASS);
  const keyType = t.get(CKA.KEY_TYPE) as number | undefined;
  if (typeof cls !== 'number' || keyType === undefined) fail(CKR.TEMPLATE_INCOMPLETE, 'the template needs CKA_CLASS and CKA_KEY_TYPE');
  const decided: AttrMap = new Map<number, AttributeValue>([[CKA.LOCAL, false], [CKA.ALWAYS_SENSITIVE, false], [CKA.NEVER_EXTRACTABLE, false]]);
  let material: AttrMap;
  let defaults: AttrMap;
  if (cls === CKO.SECRET_KEY) {
    if (keyType !== CKK.AES && keyType !== CKK.GENERIC_SECRET) fail(CKR.TEMPLATE_INCONSISTENT);
    if (keyType === CKK.AES && ![16, 24, 32].includes(plain.byteLength)) fail(CKR.WRAPPED_KEY_INVALID);
    material = new Map<number, AttributeValue>([[CKA.VALUE, plain], [CKA.VALUE_LEN, plain.byteLength]]);
    defaults = secretDefaults(keyType);
  } else if (cls === CKO.PRIVATE_KEY) {
    material = attributesFromPkcs8(plain, keyType);
    defaults = privateDefaults();
    defaults.set(CKA.KEY_TYPE, keyType);
  } else fail(CKR.TEMPLATE_INCONSISTENT);
  if (t.has(CKA.VALUE) || t.has(CKA.VALUE_LEN)) fail(CKR.TEMPLATE_INCONSISTENT);
  return token.addObject(s, template, material, defaults, decided);
}

export async function deriveKey(token: Token, conn: number, sh: number, m: Mechanism, baseHandle: number, template: readonly Attribute[]): Promise<number> {
  const s = token.session(conn, sh);
  const base = token.object(s, baseHandle, CKR.KEY_HANDLE_INVALID);
  if (m.type !== CKM.ECDH1_DERIVE) fail(CKR.MECHANISM_INVALID);
  if (base.cls !== CKO.PRIVATE_KEY || base.keyType !== CKK.EC) fail(CKR.KEY_TYPE_INCONSISTENT);
  if (!base.bool(CKA.DERIVE)) fail(CKR.KEY_FUNCTION_NOT_PERMITTED);
  const p = m.param;
  if (p?.kind !== 'ecdh1' || !p.publicData) fail(CKR.MECHANISM_PARAM_INVALID, 'ECDH1 needs CK_ECDH1_DERIVE_PARAMS with the peer point');
  if (p.kdf !== CKD_NULL || (p.sharedData && p.sharedData.byteLength)) fail(CKR.MECHANISM_PARAM_INVALID, 'only CKD_NULL is supported');
  const curve = ecCurveOf(base.attrs);
  const peer = unwrapEcPoint(p.publicData, curve);
  if (!peer) fail(CKR.MECHANISM_PARAM_INVALID, 'the peer point is not an uncompressed point of this curve');
  const ecdh = createECDH(curve.ecdh!);
  ecdh.setPrivateKey(base.attrs.get(CKA.VALUE) as Uint8Array);
  let secret: Uint8Array;
  try {
    secret = new Uint8Array(ecdh.computeSecret(peer));
  } catch {
    fail(CKR.MECHANISM_PARAM_INVALID, 'the peer point is not on the curve');
  }
  const t = new Map(template.map((a) => [a.type, a.value]));
  const keyType = (t.get(CKA.KEY_TYPE) as number | undefined) ?? CKK.GENERIC_SECRET;
  if (t.has(CKA.CLASS) && t.get(CKA.CLASS) !== CKO.SECRET_KEY) fail(CKR.TEMPLATE_INCONSISTENT);
  const length = (t.get(CKA.VALUE_LEN) as number | undefined) ?? (keyType === CKK.AES ? 32 : secret.byteLength);
  if (length > secret.byteLength || (keyType === CKK.AES && ![16, 24, 32].includes(length))) fail(CKR.TEMPLATE_INCONSISTENT, 'CKA_VALUE_LEN does not fit the shared secret');
  const value = secret.slice(0, length);
  const decided: AttrMap = new Map<number, AttributeValue>([
    [CKA.LOCAL, false], [CKA.VALUE, value], [CKA.VALUE_LEN, length],
    [CKA.ALWAYS_SENSITIVE, base.bool(CKA.ALWAYS_SENSITIVE) && t.get(CKA.SENSITIVE) !== false],
    [CKA.NEVER_EXTRACTABLE, base.bool(CKA.NEVER_EXTRACTABLE) && t.get(CKA.EXTRACTABLE) !== true],
  ]);
  const rest = template.filter((a) => a.type !== CKA.VALUE_LEN);
  void allowedAttributes;
  return token.addObject(s, rest, new Map(), secretDefaults(keyType), decided);
}
