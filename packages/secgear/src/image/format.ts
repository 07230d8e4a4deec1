import { ErrorCode, SecGearError } from '../common/errors.js';

/** The magic bytes that start every enclave image: "SGIMG", NUL, format version 1 (u16 BE). */
export const IMAGE_MAGIC = new Uint8Array([0x53, 0x47, 0x49, 0x4d, 0x47, 0x00, 0x00, 0x01]);
export const MEASUREMENT_LENGTH = 48;

/** The parts of an image file, as stored (see docs/formats/enclave-image.md). */
export interface ImageParts {
  /** Canonical manifest JSON, UTF-8. */
  manifest: Uint8Array;
  /** The enclave bundle: one ES module, UTF-8. */
  bundle: Uint8Array;
  /** The measurement the signer signed (SHA-384, 48 bytes). */
  measurement: Uint8Array;
  /** The signer's public key, SPKI DER. */
  publicKey: Uint8Array;
  /** ECDSA P-384 signature, r || s (96 bytes). */
  signature: Uint8Array;
}

export function encodeImage(parts: ImageParts): Uint8Array {
  if (parts.measurement.byteLength !== MEASUREMENT_LENGTH) throw new SecGearError(ErrorCode.BAD_PARAMETERS, 'measurement must be 48 bytes');
  const size = IMAGE_MAGIC.byteLength + 4 + parts.manifest.byteLength + 4 + parts.bundle.byteLength + MEASUREMENT_LENGTH + 2 + parts.publicKey.byteLength + 2 + parts.signature.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  out.set(IMAGE_MAGIC, o);
  o += IMAGE_MAGIC.byteLength;
  for (const [bytes, width] of [
    [parts.manifest, 4],
    [parts.bundle, 4],
  ] as const) {
    view.setUint32(o, bytes.byteLength);
    o += width;
    out.set(bytes, o);
    o += bytes.byteLength;
  }
  out.set(parts.measurement, o);
  o += MEASUREMENT_LENGTH;
  for (const bytes of [parts.publicKey, parts.signature]) {
    view.setUint16(o, bytes.byteLength);
    o += 2;
    out.set(bytes, o);
    o += bytes.byteLength;
  }
  return out;
}

function invalid(message: string): never {
  throw new SecGearError(ErrorCode.INVALID_IMAGE, `${message}; rebuild the image with \`secgear build\``);
}

/** Splits an image into its parts, checking every length. Never reads past the end. */
export function decodeImage(bytes: Uint8Array): ImageParts {
  if (bytes.byteLength < IMAGE_MAGIC.byteLength || !IMAGE_MAGIC.every((b, i) => bytes[i] === b)) {
    invalid('not a secGear enclave image (bad magic or unsupported format version)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = IMAGE_MAGIC.byteLength;
  const take = (width: 2 | 4, what: string): Uint8Array => {
    if (o + width > bytes.byteLength) invalid(`image truncated in the ${what} length`);
    const length = width === 4 ? view.getUint32(o) : view.getUint16(o);
    o += width;
    if (o + length > bytes.byteLength) invalid(`image truncated in the ${what} (needs ${length} bytes, ${bytes.byteLength - o} left)`);
    const part = bytes.subarray(o, o + length);
    o += length;
    return part;
  };
  const manifest = take(4, 'manifest');
  const bundle = take(4, 'bundle');
  if (o + MEASUREMENT_LENGTH > bytes.byteLength) invalid('image truncated in the measurement');
  const measurement = bytes.subarray(o, o + MEASUREMENT_LENGTH);
  o += MEASUREMENT_LENGTH;
  const publicKey = take(2, 'signer public key');
  const signature = take(2, 'signature');
  if (o !== bytes.byteLength) invalid(`${bytes.byteLength - o} unexpected bytes after the signature`);
  return { manifest, bundle, measurement, publicKey, signature };
}
