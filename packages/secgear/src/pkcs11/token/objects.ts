/**
 * Token and session objects: attributes with PKCS#11's rules. Which attributes an object
 * class has, which are sensitive (never leave while CKA_SENSITIVE is true or CKA_EXTRACTABLE
 * false), which are fixed after creation, and template matching for C_FindObjects.
 */
import type { KeyObject } from 'node:crypto';
import { CKA, CKK, CKO } from '../constants.js';
import type { Attribute, AttributeValue } from '../rpc/attributes.js';

export class TokenObject {
  /** node:crypto key built from the attributes on first use (never stored). */
  key: KeyObject | undefined;
  publicKey: KeyObject | undefined;

  constructor(
    readonly handle: number,
    readonly attrs: Map<number, AttributeValue>,
    /** The sealed record's name for token objects; undefined for session objects. */
    readonly storeName: string | undefined,
    /** The connection (application) that owns a session object. */
    readonly owner: number | undefined,
  ) {}

  get cls(): number {
    return this.attrs.get(CKA.CLASS) as number;
  }

  get keyType(): number | undefined {
    return this.attrs.get(CKA.KEY_TYPE) as number | undefined;
  }

  bool(type: number): boolean {
    return this.attrs.get(type) === true;
  }

  bytes(type: number): Uint8Array | undefined {
    const v = this.attrs.get(type);
    return v instanceof Uint8Array ? v : undefined;
  }

  get isToken(): boolean {
    return this.bool(CKA.TOKEN);
  }

  get isPrivate(): boolean {
    return this.bool(CKA.PRIVATE);
  }

  toAttributes(): Attribute[] {
    return [...this.attrs].map(([type, value]) => ({ type, value }));
  }
}

const COMMON = [CKA.CLASS, CKA.TOKEN, CKA.PRIVATE, CKA.MODIFIABLE, CKA.LABEL, CKA.COPYABLE, CKA.DESTROYABLE];
const KEY_COMMON = [...COMMON, CKA.KEY_TYPE, CKA.ID, CKA.START_DATE, CKA.END_DATE, CKA.DERIVE, CKA.LOCAL, CKA.KEY_GEN_MECHANISM, CKA.ALLOWED_MECHANISMS];
const PUBLIC = [...KEY_COMMON, CKA.SUBJECT, CKA.ENCRYPT, CKA.VERIFY, CKA.VERIFY_RECOVER, CKA.WRAP, CKA.TRUSTED, CKA.PUBLIC_KEY_INFO];
const PRIVATE = [...KEY_COMMON, CKA.SUBJECT, CKA.SENSITIVE, CKA.DECRYPT, CKA.SIGN, CKA.SIGN_RECOVER, CKA.UNWRAP, CKA.EXTRACTABLE, CKA.ALWAYS_SENSITIVE, CKA.NEVER_EXTRACTABLE, CKA.WRAP_WITH_TRUSTED, CKA.ALWAYS_AUTHENTICATE, CKA.PUBLIC_KEY_INFO];
const SECRET = [...KEY_COMMON, CKA.SENSITIVE, CKA.ENCRYPT, CKA.DECRYPT, CKA.SIGN, CKA.VERIFY, CKA.WRAP, CKA.UNWRAP, CKA.EXTRACTABLE, CKA.ALWAYS_SENSITIVE, CKA.NEVER_EXTRACTABLE, CKA.CHECK_VALUE, CKA.WRAP_WITH_TRUSTED, CKA.TRUSTED, CKA.VALUE, CKA.VALUE_LEN];
const KEY_MATERIAL: Record<number, { public: number[]; private: number[] }> = {
  [CKK.RSA]: { public: [CKA.MODULUS, CKA.MODULUS_BITS, CKA.PUBLIC_EXPONENT], private: [CKA.MODULUS, CKA.PUBLIC_EXPONENT, CKA.PRIVATE_EXPONENT, CKA.PRIME_1, CKA.PRIME_2, CKA.EXPONENT_1, CKA.EXPONENT_2, CKA.COEFFICIENT] },
  // a private EC key keeps its public point (never shown) to rebuild its KeyObject
  [CKK.EC]: { public: [CKA.EC_PARAMS, CKA.EC_POINT], private: [CKA.EC_PARAMS, CKA.VALUE, CKA.EC_POINT] },
  [CKK.EC_EDWARDS]: { public: [CKA.EC_PARAMS, CKA.EC_POINT], private: [CKA.EC_PARAMS, CKA.VALUE, CKA.EC_POINT] },
};
const DATA = [...COMMON, CKA.APPLICATION, CKA.OBJECT_ID, CKA.VALUE];
const CERTIFICATE = [...COMMON, CKA.CERTIFICATE_TYPE, CKA.TRUSTED, CKA.CERTIFICATE_CATEGORY, CKA.CHECK_VALUE, CKA.START_DATE, CKA.END_DATE, CKA.PUBLIC_KEY_INFO, CKA.SUBJECT, CKA.ID, CKA.ISSUER, CKA.SERIAL_NUMBER, CKA.VALUE, CKA.URL_ATTR, CKA.HASH_OF_SUBJECT_PUBLIC_KEY_ATTR, CKA.HASH_OF_ISSUER_PUBLIC_KEY_ATTR, CKA.JAVA_MIDP_ATTR];

/** The attribute types an object of this class and key type can have. */
export function allowedAttributes(cls: number, keyType: number | undefined): Set<number> {
  switch (cls) {
    case CKO.DATA: return new Set(DATA);
    case CKO.CERTIFICATE: return new Set(CERTIFICATE);
    case CKO.PUBLIC_KEY: return new Set([...PUBLIC, ...(KEY_MATERIAL[keyType ?? -1]?.public ?? [])]);
    case CKO.PRIVATE_KEY: return new Set([...PRIVATE, ...(KEY_MATERIAL[keyType ?? -1]?.private ?? [])]);
    case CKO.SECRET_KEY: return new Set(SECRET);
    default: return new Set(COMMON);
  }
}

/** Attributes that never leave a sensitive or unextractable key. */
const SENSITIVE_ATTRIBUTES = new Set<number>([CKA.VALUE, CKA.PRIVATE_EXPONENT, CKA.PRIME_1, CKA.PRIME_2, CKA.EXPONENT_1, CKA.EXPONENT_2, CKA.COEFFICIENT]);

export function isSensitiveAttribute(obj: TokenObject, type: number): boolean {
  if (obj.cls !== CKO.PRIVATE_KEY && obj.cls !== CKO.SECRET_KEY) return false;
  if (!SENSITIVE_ATTRIBUTES.has(type)) return false;
  return obj.bool(CKA.SENSITIVE) || !obj.bool(CKA.EXTRACTABLE);
}

/** Attributes fixed once the object exists (C_SetAttributeValue answers CKR_ATTRIBUTE_READ_ONLY). */
export const READ_ONLY_AFTER_CREATION = new Set<number>([
  CKA.CLASS, CKA.TOKEN, CKA.PRIVATE, CKA.KEY_TYPE, CKA.LOCAL, CKA.KEY_GEN_MECHANISM, CKA.ALWAYS_SENSITIVE, CKA.NEVER_EXTRACTABLE,
  CKA.VALUE, CKA.VALUE_LEN, CKA.MODULUS, CKA.MODULUS_BITS, CKA.PUBLIC_EXPONENT, CKA.PRIVATE_EXPONENT, CKA.PRIME_1, CKA.PRIME_2,
  CKA.EXPONENT_1, CKA.EXPONENT_2, CKA.COEFFICIENT, CKA.EC_PARAMS, CKA.EC_POINT, CKA.CERTIFICATE_TYPE, CKA.MODIFIABLE,
  CKA.COPYABLE, CKA.DESTROYABLE, CKA.CHECK_VALUE, CKA.ALWAYS_AUTHENTICATE, CKA.PUBLIC_KEY_INFO,
]);
/** Attributes no template may set: the token decides them. */
export const TOKEN_DECIDED = new Set<number>([CKA.LOCAL, CKA.KEY_GEN_MECHANISM, CKA.ALWAYS_SENSITIVE, CKA.NEVER_EXTRACTABLE]);

function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

export function matchesTemplate(obj: TokenObject, template: readonly Attribute[]): boolean {
  for (const t of template) {
    const v = obj.attrs.get(t.type);
    if (v === undefined || !sameValue(v, t.value)) return false;
  }
  return true;
}
