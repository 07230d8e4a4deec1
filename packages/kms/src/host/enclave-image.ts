/**
 * The EKMS enclave image, built from this package's compiled enclave entry and signed with the
 * node's image key (made on first start, kept 0600 in the data folder). The domain root key
 * is sealed to the signer, so an upgraded build signed by the same key still unseals it.
 * What the enclave trusts for attested key release (Recipient) is compiled in: a small entry
 * sets it before the service loads, so it is part of the measurement.
 */
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
  /** X.509 trust anchors (DER) besides the built-in Intel, AMD and AWS Nitro roots: sim roots, CCA/virtCCA roots. */
  anchors?: Uint8Array[];
  /** Accept simulated evidence (sim/process backends). Never in production. */
  allowSimulation?: boolean;
  /** Maximum age of evidence in seconds. Default 300. */
  maxAgeSeconds?: number;
  /** Tests only: verify evidence as of this time instead of the clock (part of the measurement). */
  fixedTime?: Date;
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
    anchors: (trust.anchors ?? []).map((der) => Buffer.from(der).toString('base64')),
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
