/**
 * Golden files: each EDL under golden/ is generated and compared with golden/expected/.
 * After an intended change to the generator: UPDATE_GOLDEN=1 npx tsx --test packages/secgear/test/edl/golden.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, generate, loadEdl, type ParseEdlOptions } from '../../src/edl/index.js';
import { sourceDir, TYPECHECK_MODULES, typeCheck, writeFileDeep } from './support.js';

const goldenDir = join(sourceDir, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

const CASES: Record<string, Omit<ParseEdlOptions, 'fileName'>> = {
  helloworld: {},
  switchless: {},
  types: {},
  pointers: { foreignTypes: { mac_t: 'uint8_t[16]' } },
  calls: {},
  imports: { searchPath: [join(goldenDir, 'lib')], defines: { WITH_EXTRA: true } },
};

function relative(text: string): string {
  return text.split(`${goldenDir}/`).join('');
}

for (const [name, options] of Object.entries(CASES)) {
  test(`golden: ${name}.edl`, () => {
    const parsed = loadEdl(join(goldenDir, `${name}.edl`), options);
    const result = generate(parsed);
    const summary = `${JSON.stringify({ manifest: result.manifest, warnings: result.warnings.map((w) => relative(formatDiagnostic(w))) }, null, 2)}\n`;
    const outputs: [string, string][] = [...result.files.map((f): [string, string] => [`${f.name}.golden`, f.contents]), [`${name}.json`, summary]];
    for (const [file, contents] of outputs) {
      const path = join(goldenDir, 'expected', file);
      if (update) writeFileDeep(path, contents);
      assert.ok(existsSync(path), `missing golden file ${path}; run with UPDATE_GOLDEN=1`);
      assert.equal(contents, readFileSync(path, 'utf8'), `${file} differs from its golden file; if intended, run with UPDATE_GOLDEN=1`);
    }
  });
}

test('golden: every golden output type-checks under the strictest compiler settings', () => {
  const files: Record<string, string> = {};
  for (const [name, options] of Object.entries(CASES)) {
    const result = generate(loadEdl(join(goldenDir, `${name}.edl`), options), { modules: TYPECHECK_MODULES });
    for (const f of result.files) files[`${name}/${f.name}`] = f.contents;
  }
  assert.deepEqual(typeCheck(files), []);
});
