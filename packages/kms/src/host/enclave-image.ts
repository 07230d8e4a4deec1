/**
 * The EKMS enclave image, built from this package's compiled enclave entry and signed with the
 * node's image key (made on first start, kept 0600 in the data folder). The domain root key
 * is sealed to the signer, so an upgraded build signed by the same key still unseals it.
 * What the enclave trusts for attested key release (Recipient) is compiled in: a small entry
 * sets it before the service loads, so it is part of the measurement.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, generateSigningKey } from 'secgear';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ENCLAVE_ENTRY = join(packageDir, 'dist', 'src', 'enclave', 'kms-enclave.js');
const TRUST_MODULE = join(packageDir, 'dist', 'src', 'enclave', 'recipient-trust.js');
export const ENCLAVE_MANIFEST = join(packageDir, 'enclave.json');

/** What the enclave accepts as a Recipient's evidence (see README, attested key release). */
export interface RecipientTrustOptions {
  /**
   * Trust anchors besides the built-in Intel, AMD and AWS Nitro roots: X.509 certificates (DER;
   * sim roots, virtCCA roots) and public keys as JWK (CCA platform attestation keys).
   */
  anchors?: Array<Uint8Array | JsonWebKey>;
  /** Accept simulated evidence (sim/process backends). Never in production. */
  allowSimulation?: boolean;
  /** Maximum age of evidence in seconds. Default 300. */
  maxAgeSeconds?: number;
  /** Tests only: verify evidence as of this time instead of the clock (part of the measurement). */
  fixedTime?: Date;
}

/** A JWK public key as it is compiled in: only its public members (a private key is refused). */
function publicJwk(jwk: JsonWebKey): JsonWebKey {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') throw new TypeError('a JWK anchor needs "kty"');
  if (jwk.d !== undefined) throw new TypeError('a JWK anchor must be a public key (it has "d")');
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' });
}

/** Reads the image signing key at `path`, making one (0600) when there is none. */
export function imageSigningKey(path: string): string {
  if (!existsSync(path)) {
    writeFileSync(path, generateSigningKey(), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  return readFileSync(path, 'utf8');
}

export async function buildKmsImage(signingKeyPath: string, trust: RecipientTrustOptions = {}): Promise<Uint8Array> {
  const maxAgeSeconds = trust.maxAgeSeconds ?? 300;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 1 || maxAgeSeconds > 86_400) throw new RangeError('maxAgeSeconds must be 1 to 86400');
  const config = {
    anchors: (trust.anchors ?? []).map((a) => (a instanceof Uint8Array ? { x509: Buffer.from(a).toString('base64') } : { jwk: publicJwk(a) })),
    allowSimulation: trust.allowSimulation === true,
    maxAgeMs: maxAgeSeconds * 1000,
    ...(trust.fixedTime ? { fixedTime: trust.fixedTime.getTime() } : {}),
  };
  const dir = mkdtempSync(join(tmpdir(), 'ekms-image-'));
  try {
    const entry = join(dir, 'entry.mjs');
    // the service reads the trust at call time: setting it once the modules are loaded is early enough
    writeFileSync(entry, `import { setRecipientTrust } from ${JSON.stringify(TRUST_MODULE)};\nimport ${JSON.stringify(ENCLAVE_ENTRY)};\nsetRecipientTrust(${JSON.stringify(config)});\n`);
    const image = await buildImage({ entry, manifest: ENCLAVE_MANIFEST, key: imageSigningKey(signingKeyPath), minify: true });
    return image.bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
