/** Builds the bench enclaves (`bench/enclaves/<name>.ts` with its manifest `<name>.json`). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, generateSigningKey } from 'secgear';

// compiled to bench/dist/lib/; the enclave sources stay in bench/enclaves/
const enclavesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'enclaves');

/** Bundles and signs (with a fresh key) bench enclave `name` into `dir`; returns the image path. */
export async function buildBenchEnclave(name: string, dir: string): Promise<string> {
  const output = join(dir, `${name}.sgimg`);
  await buildImage({
    entry: join(enclavesDir, `${name}.ts`),
    manifest: JSON.parse(readFileSync(join(enclavesDir, `${name}.json`), 'utf8')),
    key: generateSigningKey(),
    output,
  });
  return output;
}
