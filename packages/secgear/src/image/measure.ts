import { createHash } from 'node:crypto';

const MEASUREMENT_DOMAIN = new TextEncoder().encode('secgear-enclave-measurement-v1\0');
const SIGNATURE_DOMAIN = new TextEncoder().encode('secgear-enclave-signature-v1\0');

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** SHA-384 over the canonical manifest and the bundle, each length-prefixed (like MRENCLAVE). */
export function computeMeasurement(manifest: Uint8Array, bundle: Uint8Array): Uint8Array {
  const h = createHash('sha384');
  h.update(MEASUREMENT_DOMAIN).update(u32(manifest.byteLength)).update(manifest).update(u32(bundle.byteLength)).update(bundle);
  return new Uint8Array(h.digest());
}

/** SHA-384 of the signing public key, SPKI DER (like MRSIGNER). */
export function computeSigner(publicKeySpki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha384').update(publicKeySpki).digest());
}

/** The bytes the signer signs: a domain label and the measurement. */
export function signedPayload(measurement: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNATURE_DOMAIN.byteLength + measurement.byteLength);
  out.set(SIGNATURE_DOMAIN);
  out.set(measurement, SIGNATURE_DOMAIN.byteLength);
  return out;
}
