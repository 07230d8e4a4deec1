import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ErrorCode, SecGearError } from '../common/errors.js';
import { bundleEnclave } from './bundle.js';
import { encodeImage } from './format.js';
import { callPolicyOf, encodeManifest, normalizeManifest, type EnclaveManifest, type ManifestInput } from './manifest.js';
import { computeMeasurement, computeSigner } from './measure.js';
import { loadSigningKey, publicKeySpki, signMeasurement } from './signing-key.js';

export interface BuildImageOptions {
  /** Enclave entry module (.ts or .js) that calls `defineEnclave`. */
  entry: string;
  /** The manifest object, or the path of an enclave.json. */
  manifest: ManifestInput | string;
  /** P-384 private key: PEM text, or a path to a PEM file, or a KeyObject. */
  key: string | KeyObject;
  /** Where to write the image; omitted: only returned. */
  output?: string;
  minify?: boolean;
  /**
   * Called with the manifest input and its folder before the manifest is sealed into the image;
   * the EDL generator uses this to record `edlHash` and the declared ecalls/ocalls.
   */
  prepareManifest?: (input: ManifestInput, manifestDir: string) => Promise<ManifestInput> | ManifestInput;
}

export interface BuiltImage {
  bytes: Uint8Array;
  manifest: EnclaveManifest;
  measurement: Uint8Array;
  signer: Uint8Array;
}

/** Bundles, measures and signs an enclave: what `secgear build` does. */
export async function buildImage(options: BuildImageOptions): Promise<BuiltImage> {
  let input: ManifestInput;
  let manifestDir = process.cwd();
  if (typeof options.manifest === 'string') {
    manifestDir = dirname(resolve(options.manifest));
    try {
      input = JSON.parse(await readFile(options.manifest, 'utf8')) as ManifestInput;
    } catch (error) {
      throw new SecGearError(ErrorCode.INVALID_MANIFEST, `cannot read manifest ${options.manifest}: ${(error as Error).message}`, { cause: error });
    }
  } else {
    input = options.manifest;
  }
  if (options.prepareManifest) input = await options.prepareManifest(input, manifestDir);
  const manifest = normalizeManifest(input, typeof options.manifest === 'string' ? options.manifest : 'manifest');
  const key = typeof options.key === 'string' ? loadSigningKey(options.key.includes('-----BEGIN') ? options.key : await readKeyFile(options.key)) : options.key;
  const bundle = await bundleEnclave(options.entry, { minify: options.minify, callPolicy: callPolicyOf(manifest) });
  const manifestBytes = encodeManifest(manifest);
  const measurement = computeMeasurement(manifestBytes, bundle);
  const publicKey = publicKeySpki(key);
  const bytes = encodeImage({ manifest: manifestBytes, bundle, measurement, publicKey, signature: signMeasurement(key, measurement) });
  if (options.output) await writeFile(options.output, bytes);
  return { bytes, manifest, measurement, signer: computeSigner(publicKey) };
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SecGearError(ErrorCode.BAD_PARAMETERS, `cannot read signing key ${path}: ${(error as Error).message}; create one with \`secgear keygen -o ${path}\``, { cause: error });
  }
}
