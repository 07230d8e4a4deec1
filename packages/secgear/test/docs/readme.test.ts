// The root README's "What you write" snippets must stay true: build the enclave snippet into
// an image and run the host snippet against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { buildImage } from '../../src/image/build-image.js';
import { repoRoot } from '../support/paths.js';
import { testKey } from '../support/fixtures.js';

function snippet(readme: string, firstLine: string): string {
  const start = readme.indexOf(`\`\`\`ts\n${firstLine}`);
  assert.ok(start >= 0, `README snippet starting "${firstLine}" not found`);
  const body = readme.slice(start + 6);
  return body.slice(0, body.indexOf('```'));
}

test('README: the enclave, manifest and host snippets build, sign, run and seal', async (t) => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  // inside the repository, so 'secgear' resolves like it does for users of the package
  const scratch = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, 'secgear-readme-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'enclave.ts'), snippet(readme, '// enclave.ts'));
  const manifestSnippet = readme.slice(readme.indexOf('```json\n// enclave.json'));
  const manifest = JSON.parse(manifestSnippet.slice(manifestSnippet.indexOf('{'), manifestSnippet.indexOf('```', 7)));
  await buildImage({ entry: join(dir, 'enclave.ts'), manifest, key: testKey(), output: join(dir, 'app.sgimg') });
  const host = transformSync(`${snippet(readme, '// host.ts')}\nconsole.log('blob bytes', blob.byteLength);\n`, { loader: 'ts', format: 'esm', target: 'node20' }).code; // as tsc or esbuild compile it for Node 20
  writeFileSync(join(dir, 'host.mjs'), host);
  const output = execFileSync(process.execPath, ['host.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, SECGEAR_SIM_DIR: join(dir, 'sim') } });
  assert.match(output, /sealing 6 bytes/);
  assert.match(output, /blob bytes \d+/);
});
