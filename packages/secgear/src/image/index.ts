export { buildImage, type BuildImageOptions, type BuiltImage } from './build-image.js';
export { bundleEnclave } from './bundle.js';
export { ALLOWED_BUILTINS } from '../common/builtin-policy.js';
export { decodeImage, encodeImage, IMAGE_MAGIC, type ImageParts } from './format.js';
export { canonicalJson, encodeManifest, normalizeManifest, MANIFEST_DEFAULTS, type EnclaveManifest, type ManifestInput, type EcallDeclaration, type OcallDeclaration } from './manifest.js';
export { computeMeasurement, computeSigner } from './measure.js';
export { generateSigningKey, loadSigningKey, publicKeySpki } from './signing-key.js';
export { loadImage, verifyImageBytes, type VerifiedImage } from './verify-image.js';
