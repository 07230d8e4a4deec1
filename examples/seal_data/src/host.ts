// Untrusted side: a secret goes into an enclave, comes back only as a sealed blob, is stored
// on disk, and is used by a second enclave instance after a "restart". Run with `npm start`.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createEnclave, toHex, type CreateEnclaveOptions } from 'secgear';
import type { ecalls } from './enclave.js';

export async function main(imagePath: string, blobPath: string, out: (line: string) => void = console.log, options: CreateEnclaveOptions = {}): Promise<void> {
  const secret = new Uint8Array(randomBytes(32));
  const expected = createHmac('sha256', secret).update('hello').digest('hex');

  const first = await createEnclave<typeof ecalls>(imagePath, { type: 'sim', ...options });
  out(`[1] enclave created on ${first.info.backend} (measurement ${toHex(first.info.measurement).slice(0, 16)}...)`);
  const blob = await first.ecall.storeSecret('api-key', secret.slice());
  writeFileSync(blobPath, blob);
  out(`[2] secret sealed inside the enclave: ${blob.byteLength}-byte blob (32 bytes of data, 20 of additional data, 80 of header and tag) written to ${blobPath}`);
  out(`    the blob contains the secret in the clear: ${Buffer.from(blob).includes(Buffer.from(secret))}`);
  await first.destroy();
  out('[3] enclave destroyed');

  const second = await createEnclave<typeof ecalls>(imagePath, { type: 'sim', ...options });
  const stored = new Uint8Array(readFileSync(blobPath));
  const tag = toHex(await second.ecall.signWithSecret('api-key', stored, 'hello'));
  out(`[4] a new enclave unsealed the blob and signed "hello": ${tag}`);
  out(`    matches HMAC-SHA-256(secret, "hello"): ${tag === expected}`);

  const tampered = stored.slice();
  tampered[tampered.byteLength - 1] ^= 1;
  await second.ecall.signWithSecret('api-key', tampered, 'hello').then(
    () => out('[5] tampered blob accepted (this must not happen)'),
    (error: { code?: string }) => out(`[5] tampered blob refused: ${error.code}`),
  );
  await second.ecall.signWithSecret('other-key', stored, 'hello').then(
    () => out('[6] blob accepted under another name (this must not happen)'),
    (error: { code?: string }) => out(`[6] blob presented under another name refused: ${error.code}`),
  );
  await second.destroy();
  out('[7] enclave destroyed');
  out(`sealing keys come from the ${second.info.simulated ? 'simulated platform (a per-machine secret file: simulation-grade, no hardware protection)' : 'hardware'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [imagePath, blobPath] = process.argv.slice(2);
  if (!imagePath || !blobPath) {
    console.error('usage: node dist/src/host.js <image.sgimg> <blob-file>   (or: npm start)');
    process.exit(1);
  }
  main(imagePath, blobPath).catch((error: unknown) => {
    console.error(error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : error);
    process.exit(1);
  });
}
