import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** enclave-main.js and everything it imports as one ES module (one Gramine trusted file). */
export async function bundleEnclaveMain(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./enclave-main.js', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}
