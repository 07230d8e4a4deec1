/**
 * The curves this token supports and their CKA_EC_PARAMS encodings (DER OID, or for Ed25519
 * also the PrintableString "edwards25519" that PKCS#11 3.0 allows), and CKA_EC_POINT as a DER
 * OCTET STRING around the raw point.
 */
export interface Curve {
  name: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
  /** node:crypto's ECDH curve name (Weierstrass curves only). */
  ecdh?: string;
  /** Bytes of a scalar / coordinate. */
  size: number;
  /** The group order (Weierstrass curves; used by raw ECDSA). */
  order?: bigint;
  oid: Uint8Array;
}

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

export const CURVES: readonly Curve[] = [
  { name: 'P-256', ecdh: 'prime256v1', size: 32, order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, oid: hex('06082a8648ce3d030107') },
  { name: 'P-384', ecdh: 'secp384r1', size: 48, order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, oid: hex('06052b81040022') },
  { name: 'P-521', ecdh: 'secp521r1', size: 66, order: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n, oid: hex('06052b81040023') },
  { name: 'Ed25519', size: 32, oid: hex('06032b6570') },
];

const ED25519_PRINTABLE = hex('130c656477617264733235353139');

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

/** The curve named by CKA_EC_PARAMS, or undefined. */
export function curveFromParams(params: Uint8Array): Curve | undefined {
  if (same(params, ED25519_PRINTABLE)) return CURVES[3];
  return CURVES.find((c) => same(c.oid, params));
}

export function curveByName(name: string): Curve | undefined {
  return CURVES.find((c) => c.name === name);
}

/** DER OCTET STRING around `content` (CKA_EC_POINT). */
export function derOctetString(content: Uint8Array): Uint8Array {
  const n = content.byteLength;
  const head = n < 0x80 ? [0x04, n] : n < 0x100 ? [0x04, 0x81, n] : [0x04, 0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(content, head.length);
  return out;
}

/** The raw point inside CKA_EC_POINT; a raw point (no DER wrapper) is accepted as is. */
export function unwrapEcPoint(value: Uint8Array, curve: Curve): Uint8Array | undefined {
  const raw = curve.name === 'Ed25519' ? 32 : 1 + 2 * curve.size;
  if (value.byteLength === raw && (curve.name === 'Ed25519' || value[0] === 0x04)) return value;
  if (value[0] !== 0x04 || value.byteLength < 2) return undefined;
  let len = value[1];
  let at = 2;
  if (len === 0x81) {
    len = value[2];
    at = 3;
  } else if (len === 0x82) {
    len = (value[2] << 8) | value[3];
    at = 4;
  } else if (len > 0x80) return undefined;
  if (at + len !== value.byteLength || len !== raw) return undefined;
  return value.subarray(at);
}
