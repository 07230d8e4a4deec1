import { readFile } from 'node:fs/promises';
import { bytesEqual, toHex } from '../common/bytes.js';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { describeFsError } from '../common/fs-errors.js';
import { decodeImage } from './format.js';
import { canonicalJson, normalizeManifest, type EnclaveManifest } from './manifest.js';
import { computeMeasurement, computeSigner } from './measure.js';
import { verifyMeasurementSignature } from './signing-key.js';

/** An image whose format, measurement and signature have been checked. */
export interface VerifiedImage {
  manifest: EnclaveManifest;
  /** Canonical manifest bytes as stored. */
  manifestBytes: Uint8Array;
  bundle: Uint8Array;
  measurement: Uint8Array;
  signer: Uint8Array;
  publicKey: Uint8Array;
  /** The file it came from, when loaded from a path. */
  path?: string;
}

/**
 * Checks an image before any of its code runs: format, manifest, measurement (recomputed over
 * manifest and bundle) and the signer's signature over it. Throws CC_ERROR_INVALID_IMAGE or
 * CC_ERROR_INVALID_SIGNATURE naming what did not match.
 */
export function verifyImageBytes(bytes: Uint8Array): VerifiedImage {
  const parts = decodeImage(bytes);
  const computed = computeMeasurement(parts.manifest, parts.bundle);
  if (!bytesEqual(computed, parts.measurement)) {
    throw new SecGearError(
      ErrorCode.INVALID_IMAGE,
      `measurement mismatch: the manifest or bundle changed after signing (signed ${toHex(parts.measurement)}, computed ${toHex(computed)}); rebuild and re-sign the image`,
    );
  }
  if (!verifyMeasurementSignature(parts.publicKey, parts.measurement, parts.signature)) {
    throw new SecGearError(
      ErrorCode.INVALID_SIGNATURE,
      `signature check failed: the signature does not match the measurement and the signer key ${toHex(computeSigner(parts.publicKey)).slice(0, 16)}…; re-sign the image with the right key`,
    );
  }
  let parsed: unknown;
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    parsed = JSON.parse(text.decode(parts.manifest));
    text.decode(parts.bundle);
  } catch (error) {
    throw new SecGearError(ErrorCode.INVALID_IMAGE, 'the signed manifest or bundle is not valid UTF-8 JSON/JavaScript; rebuild the image', { cause: error });
  }
  const manifest = normalizeManifest(parsed, 'image manifest');
  if (canonicalJson(parsed) !== text.decode(parts.manifest)) {
    throw new SecGearError(ErrorCode.INVALID_IMAGE, 'the image manifest is not in canonical form; rebuild the image with `secgear build`');
  }
  return {
    manifest,
    manifestBytes: parts.manifest,
    bundle: parts.bundle,
    measurement: new Uint8Array(parts.measurement),
    signer: computeSigner(parts.publicKey),
    publicKey: new Uint8Array(parts.publicKey),
  };
}

export async function loadImage(path: string): Promise<VerifiedImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new SecGearError(ErrorCode.INVALID_IMAGE, `cannot read the enclave image: ${describeFsError(error as NodeJS.ErrnoException, path)}`, { cause: error });
  }
  return { ...verifyImageBytes(bytes), path };
}
