/**
 * Generated files committed beside their EDL (the examples', the benchmark's) must be what
 * the generator produces today: the host side is compiled from them before `secgear build`
 * regenerates anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generate, loadEdl } from '../../src/edl/index.js';
import { repoRoot } from '../support/paths.js';

const EDLS = ['examples/helloworld/src/helloworld.edl', 'examples/edl-bank/src/bank.edl', 'bench/enclaves/edl-bench.edl'];

for (const edl of EDLS) {
  test(`committed: the generated files of ${edl} are up to date`, () => {
    const path = join(repoRoot, edl);
    for (const f of generate(loadEdl(path)).files) {
      const committed = readFileSync(join(dirname(path), f.name), 'utf8');
      assert.ok(committed === f.contents, `${f.name} is stale: run secgear codegen ${edl} --trusted-dir ${dirname(edl)} --untrusted-dir ${dirname(edl)}`);
    }
  });
}

test('committed: generated files import only entries the secgear package exports (and node: builtins)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'packages', 'secgear', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const entries = new Set(Object.keys(pkg.exports).map((k) => (k === '.' ? 'secgear' : `secgear/${k.slice(2)}`)));
  const seen = new Set<string>();
  for (const edl of EDLS) {
    const path = join(repoRoot, edl);
    for (const f of generate(loadEdl(path)).files) {
      for (const [, spec] of f.contents.matchAll(/^import [^;]* from '([^']+)';$/gm)) {
        assert.ok(entries.has(spec) || spec.startsWith('node:'), `${f.name} imports ${spec}, which is not an entry of the secgear package`);
        seen.add(spec);
      }
    }
  }
  assert.ok(seen.has('secgear/edl-runtime') && seen.has('secgear/enclave'), [...seen].join(', '));
});
