/**
 * The EKMS enclave image, built from this package's compiled enclave entry and signed with the
 * node's image key (made on first start, kept 0600 in the data folder). The domain root key
 * is sealed to the signer, so an upgraded build signed by the same key still unseals it.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, generateSigningKey } from 'secgear';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ENCLAVE_ENTRY = join(packageDir, 'dist', 'src', 'enclave', 'kms-enclave.js');
export const ENCLAVE_MANIFEST = join(packageDir, 'enclave.json');

/** Reads the image signing key at `path`, making one (0600) when there is none. */
export function imageSigningKey(path: string): string {
  if (!existsSync(path)) {
    writeFileSync(path, generateSigningKey(), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  return readFileSync(path, 'utf8');
}

export async function buildKmsImage(signingKeyPath: string): Promise<Uint8Array> {
  const image = await buildImage({ entry: ENCLAVE_ENTRY, manifest: ENCLAVE_MANIFEST, key: imageSigningKey(signingKeyPath), minify: true });
  return image.bytes;
}
