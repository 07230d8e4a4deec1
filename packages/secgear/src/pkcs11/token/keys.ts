/**
 * Key material: generation, import from templates, and node:crypto KeyObjects built from the
 * attributes. Private values live only in attributes inside the enclave (and sealed records).
 */
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { CKA, CKK, CKO, CKR } from '../constants.js';
import type { AttributeValue } from '../rpc/attributes.js';
import { curveFromParams, derOctetString, unwrapEcPoint, type Curve } from './curves.js';
import { fail } from './ckr-error.js';
import type { TokenObject } from './objects.js';

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const fromB64u = (s: string | undefined) => (s ? new Uint8Array(Buffer.from(s, 'base64url')) : new Uint8Array(0));
/** Unsigned big-endian integer without leading zeros (PKCS#11's big integer encoding). */
function trimInt(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.byteLength - 1 && b[i] === 0) i++;
  return b.slice(i);
}
function padTo(b: Uint8Array, size: number): Uint8Array {
  if (b.byteLength >= size) return b.subarray(b.byteLength - size);
  const out = new Uint8Array(size);
  out.set(b, size - b.byteLength);
  return out;
}

export type AttrMap = Map<number, AttributeValue>;

export function ecCurveOf(attrs: AttrMap): Curve {
  const params = attrs.get(CKA.EC_PARAMS);
  if (!(params instanceof Uint8Array)) fail(CKR.TEMPLATE_INCOMPLETE, 'CKA_EC_PARAMS is missing');
  const curve = curveFromParams(params);
  if (!curve) fail(CKR.CURVE_NOT_SUPPORTED, 'the token supports P-256, P-384, P-521 and Ed25519');
  return curve;
}

export function generateEcPair(params: Uint8Array, edwards: boolean): { pub: AttrMap; priv: AttrMap } {
  const curve = curveFromParams(params);
  if (!curve || (curve.name === 'Ed25519') !== edwards) fail(CKR.CURVE_NOT_SUPPORTED, 'unsupported curve for this mechanism');
  if (edwards) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    void publicKey;
    return {
      pub: new Map<number, AttributeValue>([[CKA.KEY_TYPE, CKK.EC_EDWARDS], [CKA.EC_PARAMS, params.slice()], [CKA.EC_POINT, derOctetString(fromB64u(jwk.x))]]),
      priv: new Map<number, AttributeValue>([[CKA.KEY_TYPE, CKK.EC_EDWARDS], [CKA.EC_PARAMS, params.slice()], [CKA.VALUE, fromB64u(jwk.d)], [CKA.EC_POINT, derOctetString(fromB64u(jwk.x))]]),
    };
  }
  const ecdh = createECDH(curve.ecdh!);
  ecdh.generateKeys();
  const point = new Uint8Array(ecdh.getPublicKey());
  const d = padTo(new Uint8Array(ecdh.getPrivateKey()), curve.size);
  return {
    pub: new Map<number, AttributeValue>([[CKA.KEY_TYPE, CKK.EC], [CKA.EC_PARAMS, params.slice()], [CKA.EC_POINT, derOctetString(point)]]),
    // the private object keeps its public point (not exposed) so its KeyObject can be rebuilt
    priv: new Map<number, AttributeValue>([[CKA.KEY_TYPE, CKK.EC], [CKA.EC_PARAMS, params.slice()], [CKA.VALUE, d], [CKA.EC_POINT, derOctetString(point)]]),
  };
}

export function generateRsaPair(bits: number, exponent: Uint8Array | undefined): { pub: AttrMap; priv: AttrMap } {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 4096 || bits % 8 !== 0) fail(CKR.KEY_SIZE_RANGE, 'RSA keys are 2048 to 4096 bits');
  const e = exponent && exponent.byteLength ? Number(BigInt('0x' + Buffer.from(exponent).toString('hex'))) : 65537;
  if (!Number.isSafeInteger(e) || e < 3 || e % 2 === 0) fail(CKR.ATTRIBUTE_VALUE_INVALID, 'CKA_PUBLIC_EXPONENT must be an odd number');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  const jwk = privateKey.export({ format: 'jwk' });
  const n = trimInt(fromB64u(jwk.n));
  const pubExp = trimInt(fromB64u(jwk.e));
  return {
    pub: new Map<number, AttributeValue>([[CKA.KEY_TYPE, CKK.RSA], [CKA.MODULUS, n], [CKA.MODULUS_BITS, bits], [CKA.PUBLIC_EXPONENT, pubExp]]),
    priv: new Map<number, AttributeValue>([
      [CKA.KEY_TYPE, CKK.RSA], [CKA.MODULUS, n], [CKA.PUBLIC_EXPONENT, pubExp], [CKA.PRIVATE_EXPONENT, trimInt(fromB64u(jwk.d))],
      [CKA.PRIME_1, trimInt(fromB64u(jwk.p))], [CKA.PRIME_2, trimInt(fromB64u(jwk.q))], [CKA.EXPONENT_1, trimInt(fromB64u(jwk.dp))],
      [CKA.EXPONENT_2, trimInt(fromB64u(jwk.dq))], [CKA.COEFFICIENT, trimInt(fromB64u(jwk.qi))],
    ]),
  };
}

export function generateSecret(keyType: number, length: number | undefined): Uint8Array {
  if (keyType === CKK.AES) {
    if (length !== 16 && length !== 24 && length !== 32) fail(length === undefined ? CKR.TEMPLATE_INCOMPLETE : CKR.ATTRIBUTE_VALUE_INVALID, 'AES keys need CKA_VALUE_LEN 16, 24 or 32');
  } else if (length === undefined || length < 1 || length > 512) {
    fail(length === undefined ? CKR.TEMPLATE_INCOMPLETE : CKR.ATTRIBUTE_VALUE_INVALID, 'generic secrets need CKA_VALUE_LEN 1..512');
  }
  return new Uint8Array(randomBytes(length));
}

/** The private KeyObject of a private key object. */
export function privateKeyOf(obj: TokenObject): KeyObject {
  if (obj.key) return obj.key;
  const a = obj.attrs;
  const get = (t: number) => (a.get(t) as Uint8Array | undefined) ?? new Uint8Array(0);
  try {
    if (obj.keyType === CKK.RSA) {
      obj.key = createPrivateKey({ key: { kty: 'RSA', n: b64u(get(CKA.MODULUS)), e: b64u(get(CKA.PUBLIC_EXPONENT)), d: b64u(get(CKA.PRIVATE_EXPONENT)), p: b64u(get(CKA.PRIME_1)), q: b64u(get(CKA.PRIME_2)), dp: b64u(get(CKA.EXPONENT_1)), dq: b64u(get(CKA.EXPONENT_2)), qi: b64u(get(CKA.COEFFICIENT)) }, format: 'jwk' });
    } else if (obj.keyType === CKK.EC || obj.keyType === CKK.EC_EDWARDS) {
      const curve = ecCurveOf(a);
      const point = publicPointOfPrivate(obj, curve);
      if (curve.name === 'Ed25519') {
        obj.key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(get(CKA.VALUE)), x: b64u(point) }, format: 'jwk' });
      } else {
        obj.key = createPrivateKey({ key: { kty: 'EC', crv: curve.name, d: b64u(padTo(get(CKA.VALUE), curve.size)), x: b64u(point.subarray(1, 1 + curve.size)), y: b64u(point.subarray(1 + curve.size)) }, format: 'jwk' });
      }
    } else fail(CKR.KEY_TYPE_INCONSISTENT);
  } catch (error) {
    if ((error as { rv?: number }).rv !== undefined) throw error;
    fail(CKR.KEY_TYPE_INCONSISTENT, 'the key material is not a valid key');
  }
  return obj.key!;
}

/** The raw public point a private EC/EdDSA key object keeps, derived from the scalar when absent (imported keys). */
export function publicPointOfPrivate(obj: TokenObject, curve: Curve): Uint8Array {
  const stored = obj.attrs.get(CKA.EC_POINT);
  if (stored instanceof Uint8Array) {
    const raw = unwrapEcPoint(stored, curve);
    if (raw) return raw;
  }
  const d = obj.attrs.get(CKA.VALUE) as Uint8Array;
  let raw: Uint8Array;
  if (curve.name === 'Ed25519') {
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(d)]);
    const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
    raw = fromB64u(jwk.x);
  } else {
    const ecdh = createECDH(curve.ecdh!);
    ecdh.setPrivateKey(padTo(d, curve.size));
    raw = new Uint8Array(ecdh.getPublicKey());
  }
  obj.attrs.set(CKA.EC_POINT, derOctetString(raw));
  return raw;
}

/** The public KeyObject of a public or private key object. */
export function publicKeyOf(obj: TokenObject): KeyObject {
  if (obj.publicKey) return obj.publicKey;
  if (obj.cls === CKO.PRIVATE_KEY) {
    obj.publicKey = createPublicKey(privateKeyOf(obj));
    return obj.publicKey;
  }
  const a = obj.attrs;
  try {
    if (obj.keyType === CKK.RSA) {
      obj.publicKey = createPublicKey({ key: { kty: 'RSA', n: b64u(a.get(CKA.MODULUS) as Uint8Array), e: b64u(a.get(CKA.PUBLIC_EXPONENT) as Uint8Array) }, format: 'jwk' });
    } else if (obj.keyType === CKK.EC || obj.keyType === CKK.EC_EDWARDS) {
      const curve = ecCurveOf(a);
      const raw = unwrapEcPoint(a.get(CKA.EC_POINT) as Uint8Array, curve);
      if (!raw) fail(CKR.ATTRIBUTE_VALUE_INVALID, 'CKA_EC_POINT is not a point of this curve');
      obj.publicKey = curve.name === 'Ed25519'
        ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(raw) }, format: 'jwk' })
        : createPublicKey({ key: { kty: 'EC', crv: curve.name, x: b64u(raw.subarray(1, 1 + curve.size)), y: b64u(raw.subarray(1 + curve.size)) }, format: 'jwk' });
    } else fail(CKR.KEY_TYPE_INCONSISTENT);
  } catch (error) {
    if ((error as { rv?: number }).rv !== undefined) throw error;
    fail(CKR.ATTRIBUTE_VALUE_INVALID, 'the public key material is not valid');
  }
  return obj.publicKey!;
}

export function modulusBits(obj: TokenObject): number {
  const n = obj.attrs.get(CKA.MODULUS) as Uint8Array;
  let bits = n.byteLength * 8;
  for (let b = n[0]; b < 0x80 && bits > 0; b <<= 1) bits--;
  return bits;
}

/** PKCS#8 DER of a private key (what C_WrapKey wraps). */
export function privateKeyPkcs8(obj: TokenObject): Uint8Array {
  return new Uint8Array(privateKeyOf(obj).export({ format: 'der', type: 'pkcs8' }));
}

/** Attributes of a private key parsed from PKCS#8 DER (C_UnwrapKey). */
export function attributesFromPkcs8(der: Uint8Array, expectedType: number): AttrMap {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    fail(CKR.WRAPPED_KEY_INVALID, 'the unwrapped bytes are not a PKCS#8 private key');
  }
  const jwk = key.export({ format: 'jwk' });
  const out: AttrMap = new Map();
  if (key.asymmetricKeyType === 'rsa' && expectedType === CKK.RSA) {
    out.set(CKA.MODULUS, trimInt(fromB64u(jwk.n))).set(CKA.PUBLIC_EXPONENT, trimInt(fromB64u(jwk.e))).set(CKA.PRIVATE_EXPONENT, trimInt(fromB64u(jwk.d)))
      .set(CKA.PRIME_1, trimInt(fromB64u(jwk.p))).set(CKA.PRIME_2, trimInt(fromB64u(jwk.q))).set(CKA.EXPONENT_1, trimInt(fromB64u(jwk.dp)))
      .set(CKA.EXPONENT_2, trimInt(fromB64u(jwk.dq))).set(CKA.COEFFICIENT, trimInt(fromB64u(jwk.qi)));
  } else if (key.asymmetricKeyType === 'ec' && expectedType === CKK.EC) {
    const curve = [...['P-256', 'P-384', 'P-521']].indexOf(jwk.crv ?? '');
    if (curve < 0) fail(CKR.CURVE_NOT_SUPPORTED);
    const oid = [[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]][curve];
    const x = fromB64u(jwk.x);
    const y = fromB64u(jwk.y);
    out.set(CKA.EC_PARAMS, Uint8Array.from(oid)).set(CKA.VALUE, fromB64u(jwk.d)).set(CKA.EC_POINT, derOctetString(Uint8Array.from([4, ...x, ...y])));
  } else if (key.asymmetricKeyType === 'ed25519' && expectedType === CKK.EC_EDWARDS) {
    out.set(CKA.EC_PARAMS, Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x70])).set(CKA.VALUE, fromB64u(jwk.d)).set(CKA.EC_POINT, derOctetString(fromB64u(jwk.x)));
  } else fail(CKR.TEMPLATE_INCONSISTENT, 'the wrapped key is not of the CKA_KEY_TYPE the template names');
  return out;
}
